# shellcheck shell=bash
# Keyless signatures through the rest of the command line (t_56 has
# verify's checks and forgeries): list without and with a trusted root,
# the options that do not go together, audit and run with a keyless
# signer, and log entries of key signatures, whose Rekor bundle is
# made here with openssl and jq from the private instance's log key (an
# honest one, one signed by another log, one logging another key). Each
# forgery exits 1 naming the check. Sourced by run.sh.

T57=$WORK/t57
mkdir -p "$T57/fakebin"
R57=$REG_MAIN/t57
SI57=$T57/instance
ROOT57=$SI57/trusted_root.json
ID57=https://github.com/signet-test/cli/.github/workflows/release.yml@refs/tags/v2
ISS57=https://token.actions.githubusercontent.com

cat >"$T57/fakebin/docker" <<'EOF'
#!/bin/sh
printf '%s\n' "$@" >"$T57_ARGV"
EOF
chmod +x "$T57/fakebin/docker"
export T57_ARGV=$T57/docker.argv

# t57_keyless NAME: push $R57/NAME:v1, sign it keyless; echo its digest.
t57_keyless() {
	local dg
	dg=$(push_image "$R57/$1:v1" "t57-$1") || return 1
	keyless_sign_image "$R57/$1" "$dg" "$SI57" "$ID57" "$ISS57" \
		>/dev/null || return 1
	echo "$dg"
}

t57_list() {
	local dg
	dg=$(t57_keyless app) || { fail "sign app keyless"; return; }
	expect_exit 0 "list without a root" -- "$SIGNET" list "$R57/app:v1"
	expect_stdout_match "cosign	identity=$ID57 issuer=$ISS57 log=-	" \
		"list: identity and issuer, no verified log entry"
	expect_stdout_match "nothing verified" "list: says nothing was verified"
	expect_exit 0 "list --json without a root" -- \
		"$SIGNET" list --json "$R57/app:v1"
	check "list --json: keyless, unverified" -- jq -e --arg id "$ID57" '
		.[0].signatures[0] | .keyless == true and .identity == $id
		and .log_index == null and .integrated_time == null
		and .verified == false' "$LAST_OUT"
	expect_exit 0 "list --trusted-root" -- \
		"$SIGNET" list --trusted-root "$ROOT57" "$R57/app:v1"
	expect_stdout_match "log=[0-9]+@20[0-9-]+T[0-9:]+Z" \
		"list --trusted-root: the verified log entry"
	expect_stdout_match "identity not checked" \
		"list --trusted-root: the identity is not judged"
	expect_exit 0 "list with the keyless signer" -- \
		"$SIGNET" list --trusted-root "$ROOT57" \
		--certificate-identity "$ID57" --certificate-oidc-issuer "$ISS57" \
		--json "$R57/app:v1"
	check "list --json with the signer: verified, counted" -- jq -e '
		.[0].signatures[0] | .verified and .counted
		and (.log_index | type) == "number"
		and (.integrated_time | test("Z$"))' "$LAST_OUT"
	expect_exit 1 "list with another signer exits 1" -- \
		"$SIGNET" list --trusted-root "$ROOT57" \
		--certificate-identity someone@example.com \
		--certificate-oidc-issuer "$ISS57" "$R57/app@$dg"
	expect_stderr_match "certificate identity" \
		"list with another signer: the identity check is named"
}

t57_usage() {
	local a=(--certificate-identity "$ID57" --certificate-oidc-issuer "$ISS57")
	printf '{"default":"insecure-accept-anything"}\n' >"$T57/policy.json"
	expect_exit 2 "verify: keyless signer and --policy" -- \
		"$SIGNET" verify "${a[@]}" --policy "$T57/policy.json" "$R57/app:v1"
	expect_error_message "keyless and --policy: explained" "--policy"
	expect_exit 2 "verify: --trusted-root alone" -- \
		"$SIGNET" verify --trusted-root "$ROOT57" "$R57/app:v1"
	expect_error_message "--trusted-root alone: explained" "trusted-root"
	expect_exit 2 "verify: --require-tlog alone" -- \
		"$SIGNET" verify --require-tlog "$R57/app:v1"
	expect_exit 2 "audit: keyless signer and --policy" -- \
		"$SIGNET" audit "${a[@]}" --policy "$T57/policy.json" "$REG_MAIN"
	expect_exit 2 "run: keyless signer and --policy" -- \
		"$SIGNET" run "${a[@]}" --policy "$T57/policy.json" -- \
		docker run "$R57/app:v1"
}

t57_audit_run() {
	local dg bad
	dg=$(push_image "$R57/app:v1" t57-app) || { fail "push"; return; }
	bad=$(push_image "$R57/forged:v1" t57-forged) || { fail "push"; return; }
	keyless_sign_image "$R57/forged" "$bad" "$SI57" "$ID57" "$ISS57" \
		bad-set >/dev/null || { fail "sign forged"; return; }
	expect_exit 0 "audit with a keyless signer" -- \
		"$SIGNET" audit --trusted-root "$ROOT57" \
		--certificate-identity "$ID57" --certificate-oidc-issuer "$ISS57" \
		--repo t57/app --json "$REG_MAIN"
	check "audit --json: the signer's identity" -- jq -e -s \
		--arg id "$ID57" --arg iss "$ISS57" '
		[.[] | select(.status == "signed" and .keyless == true and
			.identity == $id and .issuer == $iss)] | length == 1
		' "$LAST_OUT"
	expect_exit 1 "audit: a keyless forgery is invalid" -- \
		"$SIGNET" audit --trusted-root "$ROOT57" \
		--certificate-identity "$ID57" --certificate-oidc-issuer "$ISS57" \
		--repo 't57/*' "$REG_MAIN"
	expect_stdout_match "^invalid	$R57/forged:v1	$bad	.*SET" \
		"audit: the forgery's check is named"
	expect_stdout_match "^signed	$R57/app:v1	$dg	-" \
		"audit: the honest image is signed"
	rm -f "$T57_ARGV"
	expect_exit 0 "run with a keyless signer" -- \
		env PATH="$T57/fakebin:$PATH" "$SIGNET" run \
		--trusted-root "$ROOT57" --certificate-identity "$ID57" \
		--certificate-oidc-issuer "$ISS57" -- docker pull "$R57/app:v1"
	check "run: docker got the verified digest" -- \
		grep -qx "$R57/app@$dg" "$T57_ARGV"
	rm -f "$T57_ARGV"
	expect_exit 1 "run: a keyless forgery is refused" -- \
		env PATH="$T57/fakebin:$PATH" "$SIGNET" run \
		--trusted-root "$ROOT57" --certificate-identity "$ID57" \
		--certificate-oidc-issuer "$ISS57" -- docker pull "$R57/forged:v1"
	check "run: docker not started for the forgery" -- test ! -e "$T57_ARGV"
}

# t57_bundle LOGKEY PUBKEY SIG_B64 PAYLOAD: cosign's Rekor bundle
# annotation for a hashedrekord entry of SIG_B64 over PAYLOAD by PUBKEY
# (PEM), its SET signed with LOGKEY, the log ID the trusted log's.
t57_bundle() {
	local logkey=$1 pub=$2 sig=$3 payload=$4 body id t=$(date +%s) set
	id=$(openssl pkey -in "$SI57/rekor.key" -pubout -outform DER |
		sha256sum | cut -d' ' -f1)
	body=$(jq -cSn --arg h "$(sha256sum <"$payload" | cut -d' ' -f1)" \
		--arg s "$sig" --arg k "$(base64 -w0 <"$pub")" '{
		apiVersion: "0.0.1", kind: "hashedrekord", spec: {
			data: {hash: {algorithm: "sha256", value: $h}},
			signature: {content: $s, publicKey: {content: $k}}}}' |
		tr -d '\n' | base64 -w0)
	jq -cSn --arg b "$body" --arg id "$id" --argjson t "$t" '{
		body: $b, integratedTime: $t, logID: $id, logIndex: 57}' |
		tr -d '\n' >"$T57/set-payload"
	set=$(openssl dgst -sha256 -sign "$logkey" "$T57/set-payload" |
		base64 -w0)
	jq -cn --arg set "$set" --arg b "$body" --arg id "$id" --argjson t "$t" '{
		SignedEntryTimestamp: $set, Payload: {body: $b,
		integratedTime: $t, logIndex: 57, logID: $id}}'
}

# t57_key_signed NAME LOGKEY PUBKEY: push $R57/NAME:v1, sign it with key
# A, then add to its .sig layer a Rekor bundle (t57_bundle LOGKEY
# PUBKEY). Echoes the image digest.
t57_key_signed() {
	local name=$1 dg m pdg sig
	dg=$(push_image "$R57/$name:v1" "t57-$name") || return 1
	"$SIGNET" sign --key "$KEY_A.key" "$R57/$name@$dg" >/dev/null ||
		return 1
	split_ref "$R57/$name"
	m=$T57/$name.sig.json
	reg_get_manifest "$SR_HOST" "$SR_REPO" "$(sig_tag "$dg")" >"$m" ||
		return 1
	pdg=$(jq -r '.layers[0].digest' "$m")
	sig=$(jq -r '.layers[0].annotations["dev.cosignproject.cosign/signature"]' "$m")
	reg_get_blob "$SR_HOST" "$SR_REPO" "$pdg" >"$T57/$name.payload" ||
		return 1
	jq -c --arg b "$(t57_bundle "$2" "$3" "$sig" "$T57/$name.payload")" \
		'.layers[0].annotations["dev.sigstore.cosign/bundle"] = $b' \
		"$m" >"$m.new" || return 1
	reg_put_manifest "$SR_HOST" "$SR_REPO" "$(sig_tag "$dg")" "$m.new" \
		>/dev/null || return 1
	echo "$dg"
}

t57_require_tlog() {
	local plain logged other wrongkey
	local v=(verify --key "$KEY_A.pub" --trusted-root "$ROOT57")
	plain=$(push_image "$R57/plain:v1" t57-plain) || { fail "push"; return; }
	"$SIGNET" sign --key "$KEY_A.key" "$R57/plain@$plain" >/dev/null ||
		{ fail "sign plain"; return; }
	expect_exit 0 "key signature without a log entry" -- \
		"$SIGNET" "${v[@]}" "$R57/plain@$plain"
	expect_exit 1 "--require-tlog: no log entry exits 1" -- \
		"$SIGNET" "${v[@]}" --require-tlog "$R57/plain@$plain"
	expect_stderr_match "require-tlog.*no Rekor bundle" \
		"--require-tlog: the missing entry is named"
	logged=$(t57_key_signed logged "$SI57/rekor.key" "$KEY_A.pub") ||
		{ fail "sign logged"; return; }
	expect_exit 0 "--require-tlog: a logged key signature verifies" -- \
		"$SIGNET" "${v[@]}" --require-tlog --json "$R57/logged@$logged"
	check "--require-tlog --json: the log index" -- \
		jq -e '.[0].signatures[0].log_index == 57' "$LAST_OUT"
	other=$(t57_key_signed otherlog "$SI57/u-rekor.key" "$KEY_A.pub") ||
		{ fail "sign otherlog"; return; }
	# the root has the log the bundle names: checked even without
	# --require-tlog (t_59 has a log the root lacks: ignored)
	expect_exit 1 "SET by another log exits 1 without --require-tlog" -- \
		"$SIGNET" "${v[@]}" "$R57/otherlog@$other"
	expect_stderr_match "transparency log entry does not.*SET" \
		"without --require-tlog: the SET check is named"
	expect_exit 1 "--require-tlog: SET by another log exits 1" -- \
		"$SIGNET" "${v[@]}" --require-tlog "$R57/otherlog@$other"
	expect_stderr_match "SET" "--require-tlog: the SET check is named"
	wrongkey=$(t57_key_signed wrongkey "$SI57/rekor.key" "$KEY_B.pub") ||
		{ fail "sign wrongkey"; return; }
	expect_exit 1 "--require-tlog: entry logging another key exits 1" -- \
		"$SIGNET" "${v[@]}" --require-tlog "$R57/wrongkey@$wrongkey"
	expect_stderr_match "log entry" "--require-tlog: the entry check is named"
	expect_exit 1 "--require-tlog: the public-good root knows no such log" -- \
		env -u SIGNET_TRUSTED_ROOT "$SIGNET" verify --key "$KEY_A.pub" \
		--require-tlog "$R57/logged@$logged"
}

if [ -x "$SIGSTORE_INSTANCE" ] &&
	check "sigstore_instance init" -- "$SIGSTORE_INSTANCE" init "$SI57"; then
	t57_list
	t57_usage
	t57_audit_run
	t57_require_tlog
else
	fail "t_57: no sigstore_instance at $SIGSTORE_INSTANCE (make sigstore-instance)"
fi
