# shellcheck shell=bash
# A registry with TLS (test CA) and htpasswd authentication; credentials
# come from $DOCKER_CONFIG/config.json. Sourced by run.sh.

T40=$WORK/t40
mkdir -p "$T40/docker" "$T40/docker-empty" "$T40/docker-wrong"
R40=$REG_SECURE/t40

printf '{"auths":{"%s":{"auth":"%s"}}}\n' "$REG_SECURE" \
	"$(printf '%s' "$SECURE_USER:$SECURE_PASS" | base64 -w0)" \
	>"$T40/docker/config.json"
echo '{"auths":{}}' >"$T40/docker-empty/config.json"
printf '{"auths":{"%s":{"auth":"%s"}}}\n' "$REG_SECURE" \
	"$(printf '%s' "$SECURE_USER:not-the-password" | base64 -w0)" \
	>"$T40/docker-wrong/config.json"

t40_cases() {
	local dg pinned
	check "the secure registry refuses anonymous clients" -- test \
		"$(http_code "https://$REG_SECURE/v2/" --cacert "$REG_SECURE_CA")" = 401
	dg=$(push_image "$R40/app:v1" t40-app) || { fail "push to the secure registry"; return; }
	pinned=$R40/app@$dg

	expect_exit 0 "sign over TLS with --ca-file and credentials" -- \
		env DOCKER_CONFIG="$T40/docker" \
		"$SIGNET" sign --ca-file "$REG_SECURE_CA" --key "$KEY_A.key" "$R40/app:v1"
	expect_stdout_eq "$pinned" "sign over TLS prints the pinned reference"
	check "the .sig tag exists on the secure registry" -- \
		reg_get_manifest "$REG_SECURE" t40/app "$(sig_tag "$dg")" >/dev/null
	expect_exit 0 "verify over TLS with --ca-file and credentials" -- \
		env DOCKER_CONFIG="$T40/docker" \
		"$SIGNET" verify --ca-file "$REG_SECURE_CA" --key "$KEY_A.pub" "$R40/app:v1"
	expect_stdout_eq "$pinned" "verify over TLS prints the pinned reference"
	expect_exit 1 "verify over TLS with the wrong key exits 1" -- \
		env DOCKER_CONFIG="$T40/docker" \
		"$SIGNET" verify --ca-file "$REG_SECURE_CA" --key "$KEY_B.pub" "$pinned"
	expect_exit 0 "list over TLS" -- \
		env DOCKER_CONFIG="$T40/docker" \
		"$SIGNET" list --ca-file "$REG_SECURE_CA" "$pinned"

	expect_exit 2 "verify without --ca-file exits 2" -- \
		env DOCKER_CONFIG="$T40/docker" \
		"$SIGNET" verify --key "$KEY_A.pub" "$pinned"
	expect_error_message "TLS verification failure is explained" \
		'certificate|tls|ssl|verif|issuer'
	expect_exit 2 "sign without --ca-file exits 2" -- \
		env DOCKER_CONFIG="$T40/docker" \
		"$SIGNET" sign --key "$KEY_A.key" "$pinned"
	expect_error_message "sign: TLS verification failure is explained" \
		'certificate|tls|ssl|verif|issuer'
	# Another CA (not the server's own certificate: libcurl trusts a leaf
	# found in the CA file, as OpenSSL's partial-chain mode allows).
	make_test_ca "$T40/otherca" || fail "make another test CA"
	expect_exit 2 "a CA file that is not the registry's exits 2" -- \
		env DOCKER_CONFIG="$T40/docker" \
		"$SIGNET" verify --ca-file "$T40/otherca/ca.crt" \
		--key "$KEY_A.pub" "$pinned"
	expect_exit 2 "a missing --ca-file exits 2" -- \
		env DOCKER_CONFIG="$T40/docker" \
		"$SIGNET" verify --ca-file "$T40/no-such-ca.crt" --key "$KEY_A.pub" "$pinned"
	expect_error_message "missing CA file is named" 'no-such-ca|ca|no such file'

	# docker's default when DOCKER_CONFIG is unset: ~/.docker/config.json
	mkdir -p "$T40/home/.docker"
	cp "$T40/docker/config.json" "$T40/home/.docker/config.json"
	expect_exit 0 "credentials from ~/.docker/config.json without DOCKER_CONFIG" -- \
		env -u DOCKER_CONFIG HOME="$T40/home" \
		"$SIGNET" verify --ca-file "$REG_SECURE_CA" --key "$KEY_A.pub" "$pinned"

	expect_exit 2 "verify with no credentials exits 2" -- \
		env DOCKER_CONFIG="$T40/docker-empty" \
		"$SIGNET" verify --ca-file "$REG_SECURE_CA" --key "$KEY_A.pub" "$pinned"
	expect_error_message "missing credentials mention authentication" \
		'auth|401|credential|login|denied'
	expect_exit 2 "sign with no credentials exits 2" -- \
		env DOCKER_CONFIG="$T40/docker-empty" \
		"$SIGNET" sign --ca-file "$REG_SECURE_CA" --key "$KEY_A.key" "$pinned"
	expect_error_message "sign: missing credentials mention authentication" \
		'auth|401|credential|login|denied'
	expect_exit 2 "verify with wrong credentials exits 2" -- \
		env DOCKER_CONFIG="$T40/docker-wrong" \
		"$SIGNET" verify --ca-file "$REG_SECURE_CA" --key "$KEY_A.pub" "$pinned"
	expect_error_message "wrong credentials mention authentication" \
		'auth|401|credential|login|denied'

	# Credentials for one registry are not sent to another: the plain
	# registry still works with this config (and never sees them).
	local dp
	dp=$(push_image "$REG_MAIN/t40/plain:v1" t40-plain) || { fail "push"; return; }
	expect_exit 0 "plain registry still works with the secure config" -- \
		env DOCKER_CONFIG="$T40/docker" \
		"$SIGNET" sign --ca-file "$REG_SECURE_CA" --key "$KEY_A.key" "$REG_MAIN/t40/plain@$dp"

	expect_no_leak "$SECURE_PASS" "registry password never printed (TLS/auth)"
	expect_no_leak "$(printf '%s' "$SECURE_USER:$SECURE_PASS" | base64 -w0)" \
		"registry credentials (base64) never printed"
	expect_no_leak "$SIGNET_PASSWORD" "signing passphrase never printed (TLS/auth)"
}

# Credential helpers, as docker runs them: "docker-credential-NAME get",
# the server on stdin, JSON on stdout. This one answers from the test's
# own credentials in the way $T40/helper/mode says.
t40_helpers() {
	local h=$T40/helper dg pinned p
	mkdir -p "$h/bin" "$h/hosts" "$h/store" "$h/empty" "$h/evil"
	cat >"$h/bin/docker-credential-signettest" <<EOF_HELPER
#!/bin/sh
[ "\$1" = get ] || exit 2
server=\$(cat)
printf '%s\\n' "\$server" >>"$h/asked"
case \$(cat "$h/mode") in
ok) printf '{"ServerURL":"%s","Username":"%s","Secret":"%s"}\\n' \\
	"\$server" "$SECURE_USER" "$SECURE_PASS" ;;
notfound) echo "credentials not found in native keychain"; exit 1 ;;
garbage) echo "{not json" ;;
token) printf '{"ServerURL":"%s","Username":"<token>","Secret":"x"}\\n' "\$server" ;;
fail) echo "helper broke: $SECURE_PASS" >&2; exit 3 ;;
trunc) printf '{"Username":"%s","Secret":"%s' "$SECURE_USER" "$SECURE_PASS" ;;
linger) printf '{"Username":"%s","Secret":"%s"}' "$SECURE_USER" "$SECURE_PASS"
	exec >&-; sleep 60 ;;
spy) env >"$h/env"
	for f in /proc/\$\$/fd/*; do readlink "\$f"; done >"$h/fds"
	printf '{"Username":"%s","Secret":"%s"}' "$SECURE_USER" "$SECURE_PASS" ;;
esac
EOF_HELPER
	chmod +x "$h/bin/docker-credential-signettest"
	printf '{"credHelpers":{"%s":"signettest"}}\n' "$REG_SECURE" \
		>"$h/hosts/config.json"
	printf '{"credsStore":"signettest","auths":{"%s":{"auth":"%s"}}}\n' \
		"$REG_SECURE" \
		"$(printf '%s' "$SECURE_USER:$SECURE_PASS" | base64 -w0)" \
		>"$h/store/config.json"
	printf '{"credsStore":"signettest"}\n' >"$h/empty/config.json"
	printf '{"credHelpers":{"%s":"../../bin/sh"}}\n' "$REG_SECURE" \
		>"$h/evil/config.json"
	dg=$(push_image "$R40/helper:v1" t40-helper) || { fail "push"; return; }
	pinned=$R40/helper@$dg
	expect_exit 0 "sign for the helper tests" -- env DOCKER_CONFIG="$T40/docker" \
		"$SIGNET" sign --ca-file "$REG_SECURE_CA" --key "$KEY_A.key" "$pinned"
	p=$h/bin:$PATH
	# t40_verify CONFIG [VAR=VALUE...]
	t40_verify() {
		local c=$1
		shift
		env PATH="$p" DOCKER_CONFIG="$h/$c" HOME="$TEST_HOME" "$@" \
			"$SIGNET" verify --ca-file "$REG_SECURE_CA" \
			--key "$KEY_A.pub" "$pinned"
	}

	echo ok >"$h/mode"
	expect_exit 0 "credHelpers: the host's helper gives the credentials" -- \
		t40_verify hosts
	check "the helper was asked for the registry host" -- \
		grep -qxF "$REG_SECURE" "$h/asked"
	expect_exit 0 "credsStore: the store gives the credentials" -- \
		t40_verify store
	echo notfound >"$h/mode"
	expect_exit 0 "a helper without the host falls back to auths" -- \
		t40_verify store
	expect_exit 2 "no credentials anywhere: the registry refuses" -- \
		t40_verify empty
	echo garbage >"$h/mode"
	expect_exit 2 "a helper answering garbage is exit 2" -- t40_verify store
	expect_error_message "garbage answer message" "docker-credential-signettest"
	echo token >"$h/mode"
	expect_exit 2 "an identity token is refused, not sent" -- t40_verify store
	expect_error_message "identity token message" "identity token"
	echo fail >"$h/mode"
	expect_exit 2 "a failing helper is exit 2" -- t40_verify store
	expect_error_message "failing helper message" "failed \(exit status 3\)"
	expect_exit 2 "a helper that is not installed is exit 2" -- \
		env DOCKER_CONFIG="$h/store" "$SIGNET" verify \
		--ca-file "$REG_SECURE_CA" --key "$KEY_A.pub" "$pinned"
	expect_error_message "missing helper message" \
		"cannot run credential helper 'docker-credential-signettest'"
	echo trunc >"$h/mode"
	expect_exit 2 "a cut-off answer is exit 2" -- t40_verify store
	expect_stderr_nomatch "$SECURE_PASS" "the cut-off secret is not in the message"
	echo linger >"$h/mode"
	expect_exit 2 "a helper that never exits is stopped at the deadline" -- \
		env PATH="$p" DOCKER_CONFIG="$h/store" "$SIGNET" verify \
		--deadline 3 --ca-file "$REG_SECURE_CA" --key "$KEY_A.pub" "$pinned"
	expect_error_message "lingering helper message" "did not finish"
	echo spy >"$h/mode"
	expect_exit 0 "the spying helper still answers" -- \
		t40_verify store SIGNET_PKCS11_PIN=pin-t40 COSIGN_PASSWORD=cosign-t40
	check "the helper's environment has no signet secrets" -- \
		not grep -Eq '^(SIGNET_PASSWORD|COSIGN_PASSWORD|SIGNET_PKCS11_PIN)=' \
		"$h/env"
	check "the helper gets none of signet's sockets" -- \
		not grep -q 'socket:' "$h/fds"
	mkdir -p "$h/cwd"
	cp "$h/bin/docker-credential-signettest" "$h/cwd/"
	echo ok >"$h/mode"
	expect_exit 2 "a helper in the current folder is not run (empty PATH entry)" \
		-- env -C "$h/cwd" PATH=":/usr/bin:/bin" DOCKER_CONFIG="$h/store" \
		"$SIGNET" verify --ca-file "$REG_SECURE_CA" --key "$KEY_A.pub" \
		"$pinned"
	expect_error_message "helper not found message" "not found on PATH"
	expect_exit 2 "a helper name with a path is refused" -- t40_verify evil
	expect_error_message "bad helper name message" "not a helper name"
	expect_no_leak "$SECURE_PASS" "a helper's secret is never printed"
}

t40_cases
t40_helpers
