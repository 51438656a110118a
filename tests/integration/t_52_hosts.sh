# shellcheck shell=bash
# Registry hosts have one spelling (issue 14, item 3): LOCALHOST:PORT,
# localhost:0PORT, REG.EXAMPLE.COM, reg.example.com:443, index.docker.io and
# registry-1.docker.io are the names signet writes (localhost:PORT,
# reg.example.com, docker.io), in policy scopes too, so a strict rule cannot
# be escaped by spelling the host another way. And Docker Hub (issue 13,
# item 1): docker.io names the registry, its API answers at
# registry-1.docker.io, docker login keys its credentials
# https://index.docker.io/v1/. Hub is never reached: a TLS registry of our
# own, with a test CA's certificate for registry-1.docker.io and
# reg.example.com, gets their connections through SIGNET_TEST_CONNECT_TO.
# Sourced by run.sh.

T52=$WORK/t52
mkdir -p "$T52/keys" "$T52/fakebin" "$T52/docker"
P52=${REG_MAIN#*:}		# the main registry's port
LH52=localhost:$P52/t52		# its canonical name under localhost
unset SIGNET_POLICY XDG_CONFIG_HOME
cp "$KEY_A.pub" "$T52/keys/alice.pub"

cat >"$T52/fakebin/docker" <<'EOF'
#!/bin/sh
printf '%s\n' "$@" >"$FAKE_ARGV52"
EOF
chmod +x "$T52/fakebin/docker"
FAKE_ARGV52=$T52/fake.argv
export FAKE_ARGV52

# t52_policy FILE STRICT_SCOPE: STRICT_SCOPE needs alice; anything else is
# accepted by a catch-all.
t52_policy() {
	cat >"$1" <<-EOF
	{ "version": 1,
	  "keys": { "alice": { "public-key": "keys/alice.pub" } },
	  "rules": [
	    { "scope": "$2", "keys": ["alice"] },
	    { "scope": "**", "insecure-accept-anything": true } ] }
	EOF
}

t52_spellings() {
	local dg du pol=$T52/policy.json
	dg=$(push_image "$REG_MAIN/t52/app:signed" t52-signed) ||
		{ fail "t52: push app:signed"; return; }
	du=$(push_image "$REG_MAIN/t52/app:unsigned" t52-unsigned) ||
		{ fail "t52: push app:unsigned"; return; }
	# signed as LOCALHOST:PORT: the claim names localhost:PORT (a
	# claim of 127.0.0.1:PORT would not do: another name by DNS)
	expect_exit 0 "t52: sign LOCALHOST:PORT" -- \
		"$SIGNET" sign --key "$KEY_A.key" "LOCALHOST:$P52/t52/app:signed"
	expect_stdout_eq "$LH52/app@$dg" "t52: sign prints localhost:PORT"

	# printed names: one spelling whatever was typed
	expect_exit 0 "t52: verify LOCALHOST:PORT" -- \
		"$SIGNET" verify --key "$KEY_A.pub" \
		"LOCALHOST:$P52/t52/app:signed"
	expect_stdout_eq "$LH52/app@$dg" "t52: LOCALHOST:PORT is printed localhost:PORT"
	expect_exit 1 "t52: the claim of localhost:PORT is not 127.0.0.1:PORT" -- \
		"$SIGNET" verify --key "$KEY_A.pub" "$REG_MAIN/t52/app:signed"
	expect_exit 0 "t52: list LOCALHOST:PORT of an unsigned image" -- \
		"$SIGNET" list "LOCALHOST:$P52/t52/app:unsigned"
	expect_stdout_eq "$LH52/app@$du: no signatures" \
		"t52: list prints localhost:PORT"

	# a strict rule for localhost:PORT beside a catch-all that accepts
	# anything: the unsigned image under another spelling is refused
	t52_policy "$pol" "$LH52/**"
	expect_exit 1 "t52: LOCALHOST:PORT falls under the strict rule (unsigned refused)" -- \
		"$SIGNET" verify --policy "$pol" "LOCALHOST:$P52/t52/app:unsigned"
	expect_stderr_match "rules\[0\]" "t52: the strict rule is the one named"
	expect_exit 1 "t52: localhost:PORT unsigned refused" -- \
		"$SIGNET" verify --policy "$pol" "$LH52/app:unsigned"
	expect_exit 0 "t52: LOCALHOST:PORT signed accepted" -- \
		"$SIGNET" verify --policy "$pol" "LOCALHOST:$P52/t52/app:signed"
	expect_stdout_eq "$LH52/app@$dg" "t52: the policy verdict prints localhost:PORT"
	expect_exit 0 "t52: policy show LOCALHOST:PORT names the strict rule" -- \
		"$SIGNET" policy show --policy "$pol" "LOCALHOST:$P52/t52/app"
	expect_stdout_match "$LH52/\*\*" "t52: policy show prints the strict scope"

	# signet run hands docker the canonical name, and runs nothing
	# when the other spelling is refused
	rm -f "$FAKE_ARGV52"
	expect_exit 1 "t52: run LOCALHOST:PORT unsigned is refused" -- \
		env PATH="$T52/fakebin:$PATH" "$SIGNET" run --policy "$pol" -- \
		docker run "LOCALHOST:$P52/t52/app:unsigned"
	check "t52: docker did not run" -- test ! -e "$FAKE_ARGV52"
	expect_exit 0 "t52: run LOCALHOST:PORT signed" -- \
		env PATH="$T52/fakebin:$PATH" "$SIGNET" run --policy "$pol" -- \
		docker run --rm "LOCALHOST:$P52/t52/app:signed"
	check "t52: docker got localhost:PORT and the digest" -- \
		test "$(cat "$FAKE_ARGV52" 2>/dev/null)" = \
		"$(printf '%s\n' run --rm "$LH52/app@$dg")"

	# the scope as written in upper case means the same
	t52_policy "$T52/upper.json" "LOCALHOST:$P52/t52/**"
	expect_exit 1 "t52: an upper-case scope host still holds" -- \
		"$SIGNET" verify --policy "$T52/upper.json" "$LH52/app:unsigned"
	expect_exit 0 "t52: policy check of an upper-case scope host" -- \
		"$SIGNET" policy check "$T52/upper.json"
	expect_stderr_match "is read as '$LH52/\*\*'" \
		"t52: policy check says how the scope is read"

	# 127.0.0.1 and localhost differ by DNS only: signet cannot prove them
	# one registry, so the catch-all decides; policy check says so
	expect_exit 0 "t52: policy check warns of the catch-all" -- \
		"$SIGNET" policy check "$pol"
	expect_stderr_match "warning: .*rules\[1\]: scope '\*\*' accepts anything.*cannot tell" \
		"t52: the warning names the catch-all"

	# audit names the registry as references do
	expect_exit 1 "t52: audit LOCALHOST:PORT" -- \
		"$SIGNET" audit --key "$KEY_A.pub" --repo 't52/**' "LOCALHOST:$P52"
	expect_stdout_match "^unsigned	$LH52/app:unsigned	$du" \
		"t52: audit prints localhost:PORT"
}

# ---- Docker Hub, and a default port, through a test route -------------------

HUB_USER=hub-tester
HUB_PASS=hub-pass-$$-$RANDOM
t52_hub_setup() {
	reg_start t52hub --tls --san DNS:registry-1.docker.io,DNS:reg.example.com \
		--auth "$HUB_USER:$HUB_PASS" || return 1
	H52=$REG_T52HUB
	CA52=$REG_T52HUB_CA
	# docker login's keys: Hub under its v1 URL, reg.example.com as typed
	printf '{"auths":{"https://index.docker.io/v1/":{"auth":"%s"},"REG.example.com:443":{"auth":"%s"}}}\n' \
		"$(printf '%s' "$HUB_USER:$HUB_PASS" | base64 -w0)" \
		"$(printf '%s' "$HUB_USER:$HUB_PASS" | base64 -w0)" \
		>"$T52/docker/config.json"
	# Hub's names and reg.example.com on 443 lead to the test registry;
	# docker.io itself to a closed port, so a request sent there fails
	# here, never on the internet
	CLOSED52=$(free_port) || return 1
	ROUTES52=registry-1.docker.io:443:127.0.0.1:${H52#*:},reg.example.com:443:127.0.0.1:${H52#*:},docker.io:443:127.0.0.1:$CLOSED52,index.docker.io:443:127.0.0.1:$CLOSED52
}

# t52_hub ARGS...: signet with the routes, the test CA and the credentials.
t52_hub() {
	env SIGNET_DEBUG=1 SIGNET_TEST_CONNECT_TO="$ROUTES52" \
		DOCKER_CONFIG="$T52/docker" "$SIGNET" "$@"
}

t52_hub_cases() {
	local dl da du pol=$T52/hub.json
	t52_hub_setup || { fail "t52: start the Hub stand-in"; return; }
	dl=$(push_image "$H52/library/t52alpine:latest" t52-alpine) ||
		{ fail "t52: push library/t52alpine"; return; }
	da=$(push_image "$H52/t52/app:v1" t52-hub-app) ||
		{ fail "t52: push t52/app"; return; }
	du=$(push_image "$H52/t52/app:unsigned" t52-hub-unsigned) ||
		{ fail "t52: push t52/app:unsigned"; return; }

	expect_exit 0 "t52: sign a Docker Hub image by its short name" -- \
		t52_hub sign --ca-file "$CA52" --key "$KEY_A.key" t52alpine
	expect_stdout_eq "docker.io/library/t52alpine@$dl" \
		"t52: sign prints docker.io/library/NAME"
	expect_stderr_match "GET https://registry-1.docker.io/v2/library/t52alpine/manifests/latest" \
		"t52: the manifest is asked of registry-1.docker.io"
	expect_stderr_nomatch "https://(index\.)?docker\.io/" \
		"t52: nothing is sent to docker.io itself"
	expect_exit 0 "t52: verify the Hub image by its short name" -- \
		t52_hub verify --ca-file "$CA52" --key "$KEY_A.pub" t52alpine
	expect_stdout_eq "docker.io/library/t52alpine@$dl" \
		"t52: verify prints docker.io/library/NAME"
	expect_exit 0 "t52: verify docker.io/library/NAME" -- \
		t52_hub verify --ca-file "$CA52" --key "$KEY_A.pub" \
		docker.io/library/t52alpine:latest
	expect_exit 0 "t52: verify index.docker.io/NAME" -- \
		t52_hub verify --ca-file "$CA52" --key "$KEY_A.pub" \
		index.docker.io/t52alpine
	expect_stdout_eq "docker.io/library/t52alpine@$dl" \
		"t52: index.docker.io is printed docker.io"
	expect_exit 0 "t52: sign registry-1.docker.io/t52/app" -- \
		t52_hub sign --ca-file "$CA52" --key "$KEY_A.key" \
		registry-1.docker.io/t52/app:v1
	expect_stdout_eq "docker.io/t52/app@$da" \
		"t52: registry-1.docker.io is printed docker.io"

	# the policy example's scope
	cat >"$pol" <<-EOF
	{ "version": 1,
	  "keys": { "alice": { "public-key": "keys/alice.pub" } },
	  "rules": [
	    { "scope": "docker.io/library/*", "keys": ["alice"] },
	    { "scope": "registry-1.docker.io/t52/*", "keys": ["alice"] },
	    { "scope": "reg.example.com/t52/*", "keys": ["alice"] },
	    { "scope": "**", "insecure-accept-anything": true } ] }
	EOF
	expect_exit 0 "t52: policy docker.io/library/* accepts the signed image" -- \
		t52_hub verify --ca-file "$CA52" --policy "$pol" t52alpine
	expect_exit 1 "t52: registry-1.docker.io spelling cannot escape the strict rule" -- \
		t52_hub verify --ca-file "$CA52" --policy "$pol" \
		registry-1.docker.io/t52/app:unsigned
	expect_exit 1 "t52: docker.io spelling under the registry-1 scope" -- \
		t52_hub verify --ca-file "$CA52" --policy "$pol" \
		t52/app:unsigned
	expect_exit 0 "t52: the signed one passes under that scope" -- \
		t52_hub verify --ca-file "$CA52" --policy "$pol" \
		index.docker.io/t52/app:v1

	# reg.example.com:443 and REG.EXAMPLE.COM are reg.example.com;
	# credentials keyed 'REG.example.com:443' are found for it
	expect_exit 0 "t52: sign REG.EXAMPLE.COM:443 (default port)" -- \
		t52_hub sign --ca-file "$CA52" --key "$KEY_A.key" \
		REG.EXAMPLE.COM:443/t52/app:v1
	expect_stdout_eq "reg.example.com/t52/app@$da" \
		"t52: reg.example.com:443 is printed reg.example.com"
	expect_exit 1 "t52: reg.example.com:443 cannot escape the strict rule" -- \
		t52_hub verify --ca-file "$CA52" --policy "$pol" \
		reg.example.com:443/t52/app:unsigned
	expect_exit 1 "t52: REG.EXAMPLE.COM cannot escape the strict rule" -- \
		t52_hub verify --ca-file "$CA52" --policy "$pol" \
		REG.EXAMPLE.COM/t52/app:unsigned
	expect_exit 0 "t52: the signed one under reg.example.com" -- \
		t52_hub verify --ca-file "$CA52" --policy "$pol" \
		reg.example.com/t52/app:v1
	expect_stdout_eq "reg.example.com/t52/app@$da" \
		"t52: printed reg.example.com"

	# the route changes where connections go, never what TLS checks
	expect_exit 2 "t52: without the test CA the routed name fails TLS" -- \
		t52_hub verify --key "$KEY_A.pub" t52alpine
	expect_stderr_match "certificate|ssl|tls|issuer" \
		"t52: the TLS failure is explained"
	expect_exit 2 "t52: a route off loopback is refused" -- \
		env SIGNET_DEBUG=1 \
		SIGNET_TEST_CONNECT_TO=registry-1.docker.io:443:192.0.2.1:443 \
		"$SIGNET" verify --key "$KEY_A.pub" t52alpine
	expect_stderr_match "SIGNET_TEST_CONNECT_TO: expected" \
		"t52: the refused route is named"
	# --insecure-registry is matched in the same spelling: the main
	# (plain HTTP) registry behind reg.example.com:80
	expect_exit 0 "t52: --insecure-registry REG.EXAMPLE.COM:0080 names reg.example.com:80" -- \
		env SIGNET_DEBUG=1 \
		SIGNET_TEST_CONNECT_TO="reg.example.com:80:127.0.0.1:$P52" \
		"$SIGNET" list --insecure-registry REG.EXAMPLE.COM:0080 \
		reg.example.com:80/t52/app:unsigned
	expect_stderr_match "GET http://reg.example.com:80/v2/" \
		"t52: plain HTTP to the insecure registry"
	expect_exit 2 "t52: without --insecure-registry it is HTTPS only" -- \
		env SIGNET_DEBUG=1 \
		SIGNET_TEST_CONNECT_TO="reg.example.com:80:127.0.0.1:$P52" \
		"$SIGNET" list reg.example.com:80/t52/app:unsigned
	# wrong credentials under Hub's key: the registry says no
	printf '{"auths":{"https://index.docker.io/v1/":{"auth":"%s"}}}\n' \
		"$(printf '%s' "$HUB_USER:wrong" | base64 -w0)" \
		>"$T52/docker-wrong.json"
	mkdir -p "$T52/docker-wrong"
	mv "$T52/docker-wrong.json" "$T52/docker-wrong/config.json"
	expect_exit 2 "t52: wrong Hub credentials are refused" -- \
		env SIGNET_DEBUG=1 SIGNET_TEST_CONNECT_TO="$ROUTES52" \
		DOCKER_CONFIG="$T52/docker-wrong" "$SIGNET" verify \
		--ca-file "$CA52" --key "$KEY_A.pub" t52alpine
	expect_stderr_match "authentication failed" \
		"t52: the refusal says authentication"
	: "$du"
}

t52_spellings
t52_hub_cases
