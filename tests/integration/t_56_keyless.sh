# shellcheck shell=bash
# Keyless (Sigstore) image signatures, verified offline against a trusted
# root: a private Sigstore instance (tests/tools/sigstore_instance.c: our
# own Fulcio-like CA, CT and Rekor log keys) signs images as cosign does,
# honestly and with one check broken at a time; signet must accept the
# first and refuse each forgery with exit 1, naming the check. The
# wrong-ca forgery carries its own (untrusted) chain annotation: only the
# trusted root may make a chain. Sourced by run.sh.

T56=$WORK/t56
mkdir -p "$T56/docker"
R56=$REG_MAIN/t56
SI=$T56/instance
ROOT56=$SI/trusted_root.json
ID56=https://github.com/signet-test/app/.github/workflows/release.yml@refs/tags/v1
ISS56=https://token.actions.githubusercontent.com

printf '{"auths":{"%s":{"auth":"%s"}}}\n' "$REG_SECURE" \
	"$(printf '%s' "$SECURE_USER:$SECURE_PASS" | base64 -w0)" \
	>"$T56/docker/config.json"

# t56_verify ARGS... IMAGE: signet verify with the expected identity and
# issuer and the instance's trusted root.
t56_verify() {
	"$SIGNET" verify --certificate-identity "$ID56" \
		--certificate-oidc-issuer "$ISS56" --trusted-root "$ROOT56" "$@"
}

# t56_signed NAME [FORGE...]: push $R56/NAME:v1 and sign it keyless
# (forged as asked); echo its digest.
t56_signed() {
	local name=$1 dg
	shift
	dg=$(push_image "$R56/$name:v1" "t56-$name") || return 1
	keyless_sign_image "$R56/$name" "$dg" "$SI" "$ID56" "$ISS56" "$@" \
		>/dev/null || return 1
	echo "$dg"
}

t56_valid() {
	local dg
	dg=$(t56_signed app) || { fail "sign app keyless"; return; }
	expect_exit 0 "keyless signature verifies" -- t56_verify "$R56/app:v1"
	expect_stdout_eq "$R56/app@$dg" "keyless verify prints the pinned reference"
	expect_exit 0 "keyless verify by digest" -- t56_verify "$R56/app@$dg"
	expect_exit 0 "trusted root from \$SIGNET_TRUSTED_ROOT" -- \
		env SIGNET_TRUSTED_ROOT="$ROOT56" "$SIGNET" verify \
		--certificate-identity "$ID56" --certificate-oidc-issuer "$ISS56" \
		"$R56/app:v1"
	expect_exit 1 "the public-good root (the default) refuses it" -- \
		env -u SIGNET_TRUSTED_ROOT "$SIGNET" verify \
		--certificate-identity "$ID56" --certificate-oidc-issuer "$ISS56" \
		"$R56/app:v1"
	expect_exit 0 "keyless verify --json" -- t56_verify --json "$R56/app:v1"
	check "verify --json is valid JSON naming the digest" -- \
		jq -e --arg dg "$dg" 'tostring | contains($dg)' "$LAST_OUT" >/dev/null
	expect_exit 0 "list --trusted-root --json" -- \
		"$SIGNET" list --trusted-root "$ROOT56" --json "$R56/app:v1"
	check "list --json shows identity, issuer, log index, time" -- \
		jq -e --arg id "$ID56" --arg iss "$ISS56" '
			[.. | objects | select(.identity? == $id and
				.issuer? == $iss and (.log_index? | type) == "number"
				and .integrated_time? != null)] | length == 1
		' "$LAST_OUT" >/dev/null
	# the same requests as a key verify of a .sig-signed tag: the
	# manifest, the .sig manifest, its payload; no referrers lookup
	SIGNET_DEBUG=1 run_cmd t56_verify "$R56/app:v1"
	check "keyless verify by tag: exit 0 traced" -- test "$LAST_RC" = 0
	check "keyless verify by tag: 3 requests, as with a key" -- test \
		"$(grep -Ec '^signet: debug: .* (GET|HEAD) [^ ]+ -> ' "$LAST_ERR")" = 3
	expect_exit 0 "list without --json" -- \
		"$SIGNET" list --trusted-root "$ROOT56" "$R56/app:v1"
	expect_stdout_match "signet-test/app" "list shows the identity"

	local old
	old=$(push_image "$R56/old:v1" t56-old) || { fail "push"; return; }
	KEYLESS_TIME=1700000000 keyless_sign_image "$R56/old" "$old" "$SI" \
		"$ID56" "$ISS56" >/dev/null || fail "sign old keyless"
	expect_exit 0 "a certificate expired since the signing verifies" -- \
		t56_verify "$R56/old:v1"
}

t56_identity() {
	local dg base=(--trusted-root "$ROOT56")
	dg=$(push_image "$R56/app:v1" t56-app) || { fail "push"; return; }
	expect_exit 1 "wrong identity exits 1" -- "$SIGNET" verify "${base[@]}" \
		--certificate-identity "https://github.com/other/app/.github/workflows/release.yml@refs/tags/v1" \
		--certificate-oidc-issuer "$ISS56" "$R56/app:v1"
	expect_stderr_match "identity" "wrong identity is named"
	check "wrong identity: nothing on stdout" -- test ! -s "$LAST_OUT"
	expect_exit 1 "wrong issuer exits 1" -- "$SIGNET" verify "${base[@]}" \
		--certificate-identity "$ID56" \
		--certificate-oidc-issuer https://accounts.google.com "$R56/app:v1"
	expect_stderr_match "issuer" "wrong issuer is named"
	expect_exit 1 "identity regexp matching only a prefix exits 1" -- \
		"$SIGNET" verify "${base[@]}" \
		--certificate-identity-regexp 'https://github\.com/signet-test/app' \
		--certificate-oidc-issuer "$ISS56" "$R56/app:v1"
	expect_stderr_match "identity" "prefix-only regexp is named"
	expect_exit 1 "issuer regexp matching only a prefix exits 1" -- \
		"$SIGNET" verify "${base[@]}" --certificate-identity "$ID56" \
		--certificate-oidc-issuer-regexp 'https://token' "$R56/app:v1"
	expect_exit 0 "whole-string regexps verify" -- \
		"$SIGNET" verify "${base[@]}" \
		--certificate-identity-regexp 'https://github\.com/signet-test/app/.*@refs/tags/v[0-9]+' \
		--certificate-oidc-issuer-regexp 'https://token\.actions\.githubusercontent\.com' \
		"$R56/app@$dg"
	expect_exit 1 "an email identity is not the URI one" -- \
		"$SIGNET" verify "${base[@]}" --certificate-identity someone@example.com \
		--certificate-oidc-issuer "$ISS56" "$R56/app:v1"
}

# t56_forged KIND STDERR_REGEX: an image signed with --forge KIND exits 1
# and the message names the check.
t56_forged() {
	local kind=$1 re=$2 dg
	dg=$(t56_signed "forge-$kind" "$kind") || { fail "sign forged $kind"; return; }
	expect_exit 1 "forgery $kind exits 1" -- t56_verify "$R56/forge-$kind:v1"
	expect_stderr_match "$re" "forgery $kind names the check"
	check "forgery $kind: nothing on stdout" -- test ! -s "$LAST_OUT"
}

t56_forgeries() {
	t56_forged wrong-ca 'certificate chain'
	t56_forged expired 'certificate chain.*not valid|expired'
	t56_forged no-sct 'SCT'
	t56_forged sct-unknown-log 'SCT'
	t56_forged bad-set 'SET'
	t56_forged body-other-sig 'log entry'
	t56_forged sig-other-payload 'signature'
	t56_forged no-bundle 'SET|bundle|log'
	# A certificate with no identity of a kind Fulcio issues is refused,
	# never matched as "" (a regexp that matches the empty string).
	t56_signed forge-no-identity no-identity >/dev/null ||
		fail "sign forged no-identity"
	expect_exit 1 "forgery no-identity exits 1" -- \
		"$SIGNET" verify --trusted-root "$SI/trusted_root.json" \
		--certificate-identity-regexp '(.*@nowhere\.example)?' \
		--certificate-oidc-issuer-regexp '(https://token\.actions\.githubusercontent\.com)?' \
		"$R56/forge-no-identity:v1"
	expect_stderr_match 'certificate identity' \
		"forgery no-identity names the check"

	# The payload is signed and logged honestly but claims another image.
	local dg other
	dg=$(push_image "$R56/claim:v1" t56-claim) || { fail "push"; return; }
	other=$(push_image "$R56/claim:other" t56-claim-other) || { fail "push"; return; }
	KEYLESS_CLAIM_DIGEST=$other keyless_sign_image "$R56/claim" "$dg" \
		"$SI" "$ID56" "$ISS56" >/dev/null || fail "sign claim keyless"
	expect_exit 1 "keyless payload naming another digest exits 1" -- \
		t56_verify "$R56/claim@$dg"
	expect_stderr_match "payload.*${other#sha256:}" "the payload's digest is named"
	KEYLESS_CLAIM_REF=$REG_MAIN/t56/elsewhere keyless_sign_image \
		"$R56/claim" "$dg" "$SI" "$ID56" "$ISS56" >/dev/null ||
		fail "sign claim keyless"
	expect_exit 1 "keyless payload naming another repository exits 1" -- \
		t56_verify "$R56/claim@$dg"
	expect_stderr_match 'repository' "the payload's repository is named"

	expect_exit 1 "Rekor key outside its validity window exits 1" -- \
		"$SIGNET" verify --certificate-identity "$ID56" \
		--certificate-oidc-issuer "$ISS56" \
		--trusted-root "$SI/trusted_root-rekor-expired.json" "$R56/app:v1"
	expect_stderr_match 'SET|log' "log key window is named"
	expect_exit 1 "a root of another instance exits 1" -- \
		"$SIGNET" verify --certificate-identity "$ID56" \
		--certificate-oidc-issuer "$ISS56" \
		--trusted-root "$SI/trusted_root-untrusted.json" "$R56/app:v1"

	local un
	un=$(push_image "$R56/unsigned:v1" t56-unsigned) || { fail "push"; return; }
	expect_exit 1 "unsigned image exits 1 (keyless)" -- \
		t56_verify "$R56/unsigned@$un"

	# several at once (workers share the signers and the trusted root):
	# the same lines as one after the other
	expect_exit 1 "keyless: four images at once exit 1" -- t56_verify \
		"$R56/app:v1" "$R56/forge-wrong-ca:v1" "$R56/unsigned@$un" \
		"$R56/forge-expired:v1"
	cp "$LAST_OUT" "$T56/par.out" && cp "$LAST_ERR" "$T56/par.err"
	check "keyless: four at once, the signed one pinned" -- \
		grep -q "^$R56/app@sha256:" "$T56/par.out"
	expect_exit 1 "keyless: four images with --jobs 1 exit 1" -- \
		t56_verify --jobs 1 "$R56/app:v1" "$R56/forge-wrong-ca:v1" \
		"$R56/unsigned@$un" "$R56/forge-expired:v1"
	check "keyless: four at once print as one after the other" -- eval \
		'cmp -s "$LAST_OUT" "$T56/par.out" &&
		 cmp -s "$LAST_ERR" "$T56/par.err"'
}

t56_errors() {
	expect_exit 2 "identity without issuer exits 2" -- \
		"$SIGNET" verify --certificate-identity "$ID56" \
		--trusted-root "$ROOT56" "$R56/app:v1"
	expect_error_message "missing issuer is explained" 'issuer'
	expect_exit 2 "issuer without identity exits 2" -- \
		"$SIGNET" verify --certificate-oidc-issuer "$ISS56" \
		--trusted-root "$ROOT56" "$R56/app:v1"
	expect_exit 2 "an identity regexp that does not compile exits 2" -- \
		"$SIGNET" verify --certificate-identity-regexp 'a(b' \
		--certificate-oidc-issuer "$ISS56" --trusted-root "$ROOT56" \
		"$R56/app:v1"
	jq 'del(.tlogs[0].publicKey.rawBytes)' "$ROOT56" >"$T56/norawbytes.json"
	expect_exit 2 "trusted root missing a key exits 2" -- \
		"$SIGNET" verify --certificate-identity "$ID56" \
		--certificate-oidc-issuer "$ISS56" \
		--trusted-root "$T56/norawbytes.json" "$R56/app:v1"
	expect_error_message "the JSON path of the problem is named" \
		'tlogs\[0\]\.publicKey\.rawBytes'
	head -c 200 "$ROOT56" >"$T56/truncated.json"
	expect_exit 2 "truncated trusted root exits 2" -- \
		"$SIGNET" verify --certificate-identity "$ID56" \
		--certificate-oidc-issuer "$ISS56" \
		--trusted-root "$T56/truncated.json" "$R56/app:v1"
	expect_exit 2 "missing trusted root file exits 2" -- \
		"$SIGNET" verify --certificate-identity "$ID56" \
		--certificate-oidc-issuer "$ISS56" \
		--trusted-root "$T56/absent.json" "$R56/app:v1"
}

# --key and keyless options together: either may satisfy the check.
t56_key_and_keyless() {
	local kd
	expect_exit 0 "keyless-signed image, --key A and keyless options" -- \
		t56_verify --key "$KEY_A.pub" "$R56/app:v1"
	expect_exit 1 "keyless-signed image, --key A and a wrong identity" -- \
		"$SIGNET" verify --key "$KEY_A.pub" --trusted-root "$ROOT56" \
		--certificate-identity someone@example.com \
		--certificate-oidc-issuer "$ISS56" "$R56/app:v1"
	kd=$(push_image "$R56/keyed:v1" t56-keyed) || { fail "push"; return; }
	expect_exit 0 "sign with key A" -- \
		"$SIGNET" sign --key "$KEY_A.key" "$R56/keyed:v1"
	expect_exit 0 "key-signed image, --key A and keyless options" -- \
		t56_verify --key "$KEY_A.pub" "$R56/keyed@$kd"
	expect_exit 1 "key-signed image, keyless options only" -- \
		t56_verify "$R56/keyed@$kd"
}

# The other registry kind: TLS and authentication.
t56_secure() {
	local dg r=$REG_SECURE/t56
	dg=$(push_image "$r/app:v1" t56-secure) || { fail "push (TLS)"; return; }
	keyless_sign_image "$r/app" "$dg" "$SI" "$ID56" "$ISS56" >/dev/null ||
		{ fail "sign keyless (TLS)"; return; }
	expect_exit 0 "keyless verify over TLS with credentials" -- \
		env DOCKER_CONFIG="$T56/docker" "$SIGNET" verify \
		--ca-file "$REG_SECURE_CA" --certificate-identity "$ID56" \
		--certificate-oidc-issuer "$ISS56" --trusted-root "$ROOT56" \
		"$r/app:v1"
	expect_stdout_eq "$r/app@$dg" "TLS: prints the pinned reference"
	keyless_sign_image "$r/app" "$dg" "$SI" "$ID56" "$ISS56" bad-set \
		>/dev/null || { fail "sign forged (TLS)"; return; }
	expect_exit 1 "keyless forgery over TLS exits 1" -- \
		env DOCKER_CONFIG="$T56/docker" "$SIGNET" verify \
		--ca-file "$REG_SECURE_CA" --certificate-identity "$ID56" \
		--certificate-oidc-issuer "$ISS56" --trusted-root "$ROOT56" \
		"$r/app:v1"
	expect_stderr_match 'SET' "TLS: the forgery's check is named"
}

if [ -x "$SIGSTORE_INSTANCE" ] &&
	check "sigstore_instance init" -- "$SIGSTORE_INSTANCE" init "$SI"; then
	t56_valid
	t56_identity
	t56_forgeries
	t56_errors
	t56_key_and_keyless
	t56_secure
else
	fail "t_56: no sigstore_instance at $SIGSTORE_INSTANCE (make sigstore-instance)"
fi
