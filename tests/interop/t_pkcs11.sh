# shellcheck shell=bash
# Signatures made with a key on a PKCS#11 token (SoftHSM2, initialised
# here) verified by the peers: cosign (both formats) with the exported
# public key, notation with the token-signed certificate. Sourced by run.sh.

TP=$WORK/tp
TPR=$REG_MAIN/tp
mkdir -p "$TP/tokens"
TP_PIN=pin-$$-$RANDOM

# tp_cosign_verify WANT DESC PUB IMAGE
tp_cosign_verify() {
	local want=$1 desc=$2
	run_cmd "$COSIGN" verify --key "$3" --insecure-ignore-tlog=true \
		--allow-http-registry "$4"
	if [ "$want" = 0 ] && [ "$LAST_RC" = 0 ]; then
		pass "$desc"
	elif [ "$want" != 0 ] && [ "$LAST_RC" != 0 ] && [ "$LAST_RC" -lt 124 ]; then
		pass "$desc"
	else
		fail "$desc (cosign exit $LAST_RC)"
		last_detail
	fi
}

tp_main() {
	local mod uri q dg pin nc
	for mod in /usr/lib/softhsm/libsofthsm2.so \
		/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so ""; do
		[ -e "$mod" ] && break
	done
	if [ -z "$mod" ]; then
		fail "tp: SoftHSM2 is missing (make deps)"
		return
	fi
	export SOFTHSM2_CONF=$TP/softhsm2.conf
	printf 'directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\n' \
		"$TP/tokens" >"$SOFTHSM2_CONF"
	check "tp: token initialised" -- softhsm2-util --init-token --free \
		--label interop --pin "$TP_PIN" --so-pin "so-$TP_PIN" >/dev/null
	q="module-path=$mod"
	uri="pkcs11:token=interop;object=rel?$q"
	export SIGNET_PKCS11_PIN=$TP_PIN
	expect_exit 0 "tp: signet keys generate --pkcs11 --x509" -- \
		"$SIGNET" keys generate --pkcs11 "$uri" --x509 \
		--subject "O=Example,CN=hsm" "$TP/rel" || return

	dg=$(push_image "$TPR/app:v1" tp-app) || { fail "tp: push"; return; }
	pin=$TPR/app@$dg
	expect_exit 0 "tp: signet signs .sig with the token" -- \
		"$SIGNET" sign --key "$uri" "$pin"
	tp_cosign_verify 0 "tp: cosign verifies the token's .sig signature" \
		"$TP/rel.pub" "$pin"
	tp_cosign_verify fail "tp: cosign refuses it with another key" \
		"$KEY_A.pub" "$pin"

	dg=$(push_image "$TPR/bundle:v1" tp-bundle) || { fail "tp: push"; return; }
	pin=$TPR/bundle@$dg
	expect_exit 0 "tp: signet signs a sigstore bundle with the token" -- \
		"$SIGNET" sign --format sigstore-bundle --key "$uri" "$pin"
	tp_cosign_verify 0 "tp: cosign verifies the token's bundle" \
		"$TP/rel.pub" "$pin"

	dg=$(push_image "$TPR/notary:v1" tp-notary) || { fail "tp: push"; return; }
	pin=$TPR/notary@$dg
	expect_exit 0 "tp: signet signs a Notary signature with the token" -- \
		"$SIGNET" sign --format notation --key "$uri" --cert "$TP/rel.crt" \
		"$pin"
	nc=$TP/notation
	mkdir -p "$nc"
	echo '{"version":"1.0","trustPolicies":[{"name":"p","registryScopes":["*"],"signatureVerification":{"level":"strict"},"trustStores":["ca:hsm"],"trustedIdentities":["*"]}]}' \
		>"$nc/trustpolicy.json"
	expect_exit 0 "tp: notation cert add (the token-signed certificate)" -- \
		env NOTATION_CONFIG="$nc" "$NOTATION" cert add --type ca \
		--store hsm "$TP/rel.crt"
	expect_exit 0 "tp: notation verifies the token's signature" -- \
		env NOTATION_CONFIG="$nc" "$NOTATION" verify --insecure-registry \
		"$pin"
	expect_no_leak "$TP_PIN" "tp: the PIN is never printed"
	unset SIGNET_PKCS11_PIN SOFTHSM2_CONF
}

tp_main
