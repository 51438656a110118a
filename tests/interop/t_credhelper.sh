# shellcheck shell=bash
# Registry credentials kept by a real docker credential helper: docker's
# own docker-credential-pass (built by peers.sh) over pass and gnupg, in
# front of a TLS + htpasswd docker-registry. Sourced by run.sh.

TH=$WORK/th
mkdir -p "$TH/docker"
TH_USER=helper-user
TH_PASS=helper-pass-$$-$RANDOM

th_main() {
	local helper=$PEERS_BIN/docker-credential-pass dg pinned
	if [ ! -x "$helper" ] || ! type -P pass >/dev/null ||
		! type -P gpg >/dev/null; then
		fail "th: docker-credential-pass, pass or gpg missing (make deps)"
		return
	fi
	reg_start cred --tls --auth "$TH_USER:$TH_PASS" || {
		fail "th: the registry with authentication starts"
		return
	}
	# a throwaway gpg key and password store for pass
	export GNUPGHOME=$TH/gnupg PASSWORD_STORE_DIR=$TH/store
	mkdir -p "$GNUPGHOME" && chmod 700 "$GNUPGHOME"
	check "th: gpg key for pass" -- gpg --batch --pinentry-mode loopback \
		--passphrase '' --quick-gen-key signet-th@example.org default \
		default never
	# "command": lib.sh has a function of that name
	check "th: pass init" -- command pass init signet-th@example.org
	printf '{"ServerURL":"%s","Username":"%s","Secret":"%s"}' \
		"$REG_CRED" "$TH_USER" "$TH_PASS" >"$TH/creds.json"
	check "th: docker-credential-pass store" -- \
		sh -c '"$1" store <"$2" >/dev/null' sh "$helper" "$TH/creds.json"
	rm -f "$TH/creds.json"
	printf '{"credsStore":"pass"}\n' >"$TH/docker/config.json"

	dg=$(push_image "$REG_CRED/th/app:v1" th-app) || { fail "th: push"; return; }
	pinned=$REG_CRED/th/app@$dg
	expect_exit 2 "th: without the helper the registry refuses signet" -- \
		env DOCKER_CONFIG="$WORK/docker-empty" "$SIGNET" sign \
		--ca-file "$REG_CRED_CA" --key "$KEY_A.key" "$pinned"
	expect_exit 0 "th: signet signs with credentials from docker-credential-pass" \
		-- env PATH="$PEERS_BIN:$PATH" DOCKER_CONFIG="$TH/docker" \
		"$SIGNET" sign --ca-file "$REG_CRED_CA" --key "$KEY_A.key" "$pinned"
	expect_exit 0 "th: and verifies with them" -- \
		env PATH="$PEERS_BIN:$PATH" DOCKER_CONFIG="$TH/docker" \
		"$SIGNET" verify --ca-file "$REG_CRED_CA" --key "$KEY_A.pub" \
		"$REG_CRED/th/app:v1"
	expect_stdout_eq "$pinned" "th: verify prints the pinned image"
	printf '{"credHelpers":{"%s":"pass"}}\n' "$REG_CRED" \
		>"$TH/docker/config.json"
	expect_exit 0 "th: credHelpers names the same helper for the host" -- \
		env PATH="$PEERS_BIN:$PATH" DOCKER_CONFIG="$TH/docker" \
		"$SIGNET" verify --ca-file "$REG_CRED_CA" --key "$KEY_A.pub" "$pinned"
	expect_no_leak "$TH_PASS" "th: the helper's secret is never printed"
	gpgconf --kill gpg-agent 2>/dev/null
	unset GNUPGHOME PASSWORD_STORE_DIR
}

th_main
