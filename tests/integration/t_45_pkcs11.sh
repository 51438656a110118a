# shellcheck shell=bash
# Keys on a PKCS#11 token: a SoftHSM2 token initialised here, in a folder of
# its own, named by RFC 7512 URIs. Key pairs made on the token, signatures in
# all three formats verified with the exported public key or certificate,
# the PIN from pin-source, SIGNET_PKCS11_PIN or nowhere, and the refusals:
# wrong PIN, pin-value, ambiguous or unknown names, export. Sourced by run.sh.

T45=$WORK/t45
mkdir -p "$T45/tokens"
R45=$REG_MAIN/t45
T45_PIN=pin-$$-$RANDOM
T45_SO=so-$$-$RANDOM
T45_MOD=
for m in /usr/lib/softhsm/libsofthsm2.so \
	/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so; do
	[ -e "$m" ] && { T45_MOD=$m; break; }
done

t45_main() {
	if [ -z "$T45_MOD" ] || ! command -v softhsm2-util >/dev/null; then
		fail "t45: SoftHSM2 is missing (make deps)"
		return
	fi
	export SOFTHSM2_CONF=$T45/softhsm2.conf
	# Under ASan: full malloc stacks, so that tests/lsan.supp can tell
	# libp11's own leaks (through libcrypto) from ours.
	local asan_was=${ASAN_OPTIONS-}
	export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}fast_unwind_on_malloc=0
	printf 'directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\n' \
		"$T45/tokens" >"$SOFTHSM2_CONF"
	check "t45: token initialised" -- softhsm2-util --init-token --free \
		--label signet-ci --pin "$T45_PIN" --so-pin "$T45_SO" \
		>/dev/null
	(umask 077 && printf '%s\n' "$T45_PIN" >"$T45/pin")
	local q="module-path=$T45_MOD&pin-source=file:$T45/pin"
	local ec="pkcs11:token=signet-ci;object=release?$q"
	local rsa="pkcs11:token=signet-ci;object=release-rsa?module-path=$T45_MOD"
	local dg img pub

	# ---- key pairs made on the token
	expect_exit 0 "t45: keys generate --pkcs11 --x509 (ecdsa-p256)" -- \
		"$SIGNET" keys generate --pkcs11 "$ec" --x509 \
		--subject CN=hsm-release "$T45/ec"
	expect_stdout_match 'pkcs11:token=signet-ci;.*object=release' \
		"t45: keys generate prints the key's URI"
	check "t45: NAME.pub and NAME.crt written, no NAME.key" -- \
		test -s "$T45/ec.pub" -a -s "$T45/ec.crt" -a ! -e "$T45/ec.key"
	pub=$(openssl x509 -in "$T45/ec.crt" -noout -pubkey)
	check "t45: the certificate holds the token key" -- \
		test "$pub" = "$(cat "$T45/ec.pub")"
	expect_exit 2 "t45: a second key with the same label is refused" -- \
		"$SIGNET" keys generate --pkcs11 "$ec" "$T45/dup"
	expect_error_message "t45: duplicate label message" \
		"already has a key labelled 'release'"
	check "t45: the refused key wrote no file" -- test ! -e "$T45/dup.pub"
	expect_exit 0 "t45: keys generate --pkcs11 rsa-3072, PIN from \
SIGNET_PKCS11_PIN" -- env SIGNET_PKCS11_PIN="$T45_PIN" \
		"$SIGNET" keys generate --pkcs11 "$rsa" --type rsa-3072 --x509 \
		"$T45/rsa"
	expect_exit 2 "t45: --pkcs11 with --no-password is a usage error" -- \
		"$SIGNET" keys generate --pkcs11 "$ec" --no-password "$T45/x"
	expect_exit 0 "t45: keys show URI" -- "$SIGNET" keys show "$ec"
	local fpr
	fpr=$(grep -o 'SHA256:[0-9a-f]*' "$LAST_OUT")
	expect_exit 0 "t45: keys show NAME.pub" -- "$SIGNET" keys show \
		"$T45/ec.pub"
	expect_stdout_match "$fpr" "t45: same fingerprint on token and in .pub"
	expect_exit 0 "t45: keys show --pem URI" -- "$SIGNET" keys show --pem "$ec"
	expect_stdout_eq "$(cat "$T45/ec.pub")" "t45: --pem prints NAME.pub"

	# ---- libp11 and p11-kit are opened only for a pkcs11: URI, and use
	# the libcrypto already in the process (a wrapper script, as under
	# valgrind, is not looked into)
	if [ "$(head -c 4 "$SIGNET" | od -An -c | tr -d ' ')" = '177ELF' ]; then
		LD_DEBUG=libs "$SIGNET" keys show "$T45/ec.pub" >/dev/null \
			2>"$T45/ld.file"
		check "t45: a key file maps no PKCS#11 library nor MHD" -- \
			not grep -q 'calling init:.*\(libp11\|libmicrohttpd\)' \
			"$T45/ld.file"
		LD_DEBUG=libs "$SIGNET" keys show "$ec" >/dev/null \
			2>"$T45/ld.uri"
		check "t45: a pkcs11: URI opens libp11 and p11-kit" -- \
			grep -q 'calling init:.*/libp11-kit\.so' "$T45/ld.uri"
		check "t45: ... and libp11" -- \
			grep -q 'calling init:.*/libp11\.so' "$T45/ld.uri"
		check "t45: one libcrypto in the process, libp11's too" -- \
			test "$(grep -c 'calling init:.*/libcrypto\.so' \
				"$T45/ld.uri")" = 1
	fi

	# ---- signing with the token, verifying with the exported key
	dg=$(push_image "$R45/app:v1" t45-app) || { fail "t45: push"; return; }
	img=$R45/app@$dg
	expect_exit 0 "t45: sign cosign format with the token key" -- \
		"$SIGNET" sign --key "$ec" "$R45/app:v1"
	expect_exit 0 "t45: verify with the exported public key" -- \
		"$SIGNET" verify --key "$T45/ec.pub" "$R45/app:v1"
	expect_stdout_eq "$img" "t45: verify prints the pinned image"
	expect_exit 1 "t45: another key does not verify the token's signature" \
		-- "$SIGNET" verify --key "$KEY_A.pub" "$R45/app:v1"
	expect_exit 0 "t45: sign sigstore-bundle with the token key" -- \
		"$SIGNET" sign --format sigstore-bundle --key "$ec" "$img"
	expect_exit 0 "t45: verify the bundle" -- "$SIGNET" verify \
		--format sigstore-bundle --key "$T45/ec.pub" "$img"
	expect_exit 0 "t45: sign notation with the token key and its cert" -- \
		"$SIGNET" sign --format notation --key "$ec" --cert "$T45/ec.crt" \
		"$img"
	expect_exit 0 "t45: verify the Notary signature with the cert" -- \
		"$SIGNET" verify --format notation --key "$T45/ec.crt" "$img"
	expect_exit 0 "t45: sign with the RSA token key (cosign)" -- \
		env SIGNET_PKCS11_PIN="$T45_PIN" "$SIGNET" sign --key "$rsa" "$img"
	expect_exit 0 "t45: sign with the RSA token key (notation, PS256)" -- \
		env SIGNET_PKCS11_PIN="$T45_PIN" "$SIGNET" sign --format notation \
		--key "$rsa" --cert "$T45/rsa.crt" "$img"
	expect_exit 0 "t45: verify RSA cosign signature" -- "$SIGNET" verify \
		--format cosign --key "$T45/rsa.pub" "$img"
	expect_exit 0 "t45: verify RSA Notary signature" -- "$SIGNET" verify \
		--format notation --key "$T45/rsa.crt" "$img"
	local p384="pkcs11:token=signet-ci;object=release-p384?$q"
	expect_exit 0 "t45: keys generate --pkcs11 ecdsa-p384 --x509" -- \
		"$SIGNET" keys generate --pkcs11 "$p384" --type ecdsa-p384 --x509 \
		"$T45/p384"
	expect_exit 0 "t45: sign with the P-384 token key (notation, ES384)" -- \
		"$SIGNET" sign --format notation --key "$p384" \
		--cert "$T45/p384.crt" "$img"
	expect_exit 0 "t45: verify the ES384 Notary signature" -- \
		"$SIGNET" verify --format notation --key "$T45/p384.crt" "$img"
	expect_exit 0 "t45: the default module (p11-kit proxy) finds the token" \
		-- "$SIGNET" sign \
		--key "pkcs11:token=signet-ci;object=release?pin-source=file:$T45/pin" \
		"$img"
	local viaproxy="pkcs11:token=signet-ci;object=via-proxy?pin-source=file:$T45/pin"
	expect_exit 0 "t45: keys generate through the default module (proxy)" \
		-- "$SIGNET" keys generate --pkcs11 "$viaproxy" "$T45/proxy"
	expect_exit 0 "t45: sign with that key through the proxy" -- \
		"$SIGNET" sign --key "$viaproxy" "$img"
	expect_exit 0 "t45: verify it" -- "$SIGNET" verify --format cosign \
		--key "$T45/proxy.pub" "$img"
	expect_exit 0 "t45: module-name=softhsm2 finds the token" -- \
		"$SIGNET" keys show "pkcs11:object=release?module-name=softhsm2"

	# ---- the PIN
	dg=$(push_image "$R45/pin:v1" t45-pin) || { fail "t45: push"; return; }
	expect_exit 2 "t45: wrong PIN is exit 2" -- env SIGNET_PKCS11_PIN=wrong-pin \
		"$SIGNET" sign --key "$rsa" "$R45/pin:v1"
	expect_error_message "t45: wrong PIN message" \
		"wrong PIN for token 'signet-ci'"
	expect_exit 1 "t45: nothing was signed with a wrong PIN" -- \
		"$SIGNET" verify --key "$T45/rsa.pub" "$R45/pin:v1"
	expect_exit 2 "t45: no PIN anywhere and no terminal is exit 2" -- \
		"$SIGNET" sign --key "$rsa" "$R45/pin:v1"
	expect_error_message "t45: no-PIN message" "no PIN for token 'signet-ci'"
	expect_exit 2 "t45: pin-value is refused" -- "$SIGNET" sign --key \
		"pkcs11:token=signet-ci;object=release?module-path=$T45_MOD&pin-value=$T45_PIN" \
		"$R45/pin:v1"
	expect_error_message "t45: pin-value message" "pin-value"
	expect_stderr_nomatch "$T45_PIN" "t45: the refused pin-value is not echoed"
	expect_exit 2 "t45: pin-value in the path part is refused too" -- \
		"$SIGNET" sign --key \
		"pkcs11:token=signet-ci;pin-value=$T45_PIN;object=release?module-path=$T45_MOD" \
		"$R45/pin:v1"
	expect_stderr_nomatch "$T45_PIN" "t45: and not echoed either"
	expect_exit 2 "t45: an unknown query attribute is refused" -- \
		"$SIGNET" sign --key \
		"pkcs11:token=signet-ci;object=release?module_path=$T45_MOD" \
		"$R45/pin:v1"
	expect_error_message "t45: unknown query message" \
		"unknown query attribute 'module_path'"
	expect_exit 2 "t45: library-manufacturer must match the module" -- \
		"$SIGNET" keys show \
		"pkcs11:library-manufacturer=NOPE;token=signet-ci;object=release?module-path=$T45_MOD"
	expect_exit 0 "t45: the module's own library-manufacturer matches" -- \
		"$SIGNET" keys show \
		"pkcs11:library-manufacturer=SoftHSM;token=signet-ci;object=release?module-path=$T45_MOD"
	expect_exit 0 "t45: pin-source as file:///PATH" -- "$SIGNET" keys show \
		"pkcs11:token=signet-ci;object=release?module-path=$T45_MOD&pin-source=file://$T45/pin"
	expect_exit 2 "t45: relative pin-source is refused" -- "$SIGNET" sign \
		--key "pkcs11:token=signet-ci;object=release?module-path=$T45_MOD&pin-source=pin" \
		"$R45/pin:v1"

	# the terminal, with echo off (pty_answer.py types the PIN)
	local pa
	pa=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/pty_answer.py
	expect_exit 2 "t45: a wrong PIN typed at the prompt is exit 2" -- \
		python3 "$pa" wrong-pin -- "$SIGNET" sign --key "$rsa" "$R45/pin:v1"
	expect_stdout_match "Enter PIN for token 'signet-ci': " \
		"t45: the PIN prompt names the token"
	expect_stdout_match "wrong PIN for token 'signet-ci'" \
		"t45: the wrong typed PIN is named as such"
	expect_exit 0 "t45: the PIN typed at the prompt signs" -- \
		python3 "$pa" "$T45_PIN" -- "$SIGNET" sign --key "$rsa" \
		"$R45/pin:v1"
	expect_exit 0 "t45: and the signature verifies" -- \
		"$SIGNET" verify --key "$T45/rsa.pub" "$R45/pin:v1"
	expect_exit 1 "t45: while the EC key's signature is still absent" -- \
		"$SIGNET" verify --key "$T45/ec.pub" "$R45/pin:v1"

	# ---- naming
	expect_exit 2 "t45: a URI naming no key" -- "$SIGNET" sign --key \
		"pkcs11:token=signet-ci?$q" "$R45/pin:v1"
	expect_error_message "t45: names-no-key message" "names no key"
	expect_exit 2 "t45: an unknown token" -- "$SIGNET" sign --key \
		"pkcs11:token=nope;object=release?$q" "$R45/pin:v1"
	expect_error_message "t45: unknown token message" "no token matches"
	expect_exit 2 "t45: an unknown object" -- "$SIGNET" sign --key \
		"pkcs11:token=signet-ci;object=nope?$q" "$R45/pin:v1"
	expect_error_message "t45: unknown object message" "no private key"
	expect_exit 2 "t45: an unknown URI attribute" -- "$SIGNET" sign --key \
		"pkcs11:token=signet-ci;object=release;colour=red?$q" "$R45/pin:v1"
	expect_exit 2 "t45: type=cert cannot sign" -- "$SIGNET" sign --key \
		"pkcs11:token=signet-ci;object=release;type=cert?$q" "$R45/pin:v1"
	expect_exit 2 "t45: a bad module path" -- "$SIGNET" sign --key \
		"pkcs11:token=signet-ci;object=release?module-path=/nonexistent.so" \
		"$R45/pin:v1"
	expect_error_message "t45: bad module message" "cannot load PKCS#11 module"
	expect_exit 1 "t45: still nothing signed with the EC key" -- \
		"$SIGNET" verify --key "$T45/ec.pub" "$R45/pin:v1"

	# ---- the key stays on the token
	expect_exit 2 "t45: a token key cannot be exported" -- \
		"$SIGNET" keys export --cosign "$ec" "$T45/out.key"
	check "t45: nothing exported" -- test ! -e "$T45/out.key"
	expect_exit 2 "t45: verify takes the exported key, not a URI" -- \
		"$SIGNET" verify --key "$ec" "$R45/app:v1"
	expect_error_message "t45: verify --key URI says how" "keys show --pem"
	expect_no_leak "$T45_PIN" "t45: the PIN is never printed"
	unset SOFTHSM2_CONF
	if [ -n "$asan_was" ]; then
		export ASAN_OPTIONS=$asan_was
	else
		unset ASAN_OPTIONS
	fi
}

t45_main
