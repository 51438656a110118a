# shellcheck shell=bash
# One client, more hosts than its host cache holds (8): tests/hostile/hops.py
# sits in front of a real registry and sends every manifest and blob
# download on to the next of nine storage hosts, 127.0.0.2 ... 127.0.0.10
# (all of 127.0.0.0/8 is loopback on Linux), each forwarding to the same
# registry. A storage host refuses a request meant for another host (421)
# and one with credentials (403), so a client that loses track of which
# host is which fails here. Sourced by run.sh.

T42=$WORK/t42
T42_HOPS=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/hostile/hops.py
T42_PIDS=()
mkdir -p "$T42"

# t42_start NAME UPSTREAM [hops.py options...]: start a front with nine
# storage hosts; sets T42_FRONT to its 127.0.0.1:PORT.
t42_start() {
	local name=$1 up=$2 d=$T42/$1 n
	shift 2
	mkdir -p "$d"
	python3 "$T42_HOPS" --upstream "$up" --port-file "$d/port" \
		--hops 9 --log "$d/log" --lifetime 900 "$@" \
		</dev/null >>"$d/out" 2>&1 &
	T42_PIDS+=("$!")
	for ((n = 0; n < 100; n++)); do
		[ -s "$d/port" ] && break
		sleep 0.1
	done
	if [ ! -s "$d/port" ]; then
		fail "t42: the hops front $name did not start" \
			"$(tail -n 3 "$d/out")"
		return 1
	fi
	T42_FRONT=127.0.0.1:$(cat "$d/port")
}

t42_stop_all() {
	local pid
	for pid in "${T42_PIDS[@]}"; do
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	T42_PIDS=()
}

# t42_seen NAME JQ_CONDITION: how many logged requests match.
t42_seen() {
	jq -s "[.[] | select($2)] | length" "$T42/$1/log"
}

# t42_hosts NAME: how many storage hosts answered a download with 200.
t42_hosts() {
	jq -s '[.[] | select(.listener != "front" and .status == 200)
		| .listener] | unique | length' "$T42/$1/log"
}

# Four images (three downloads each to verify: manifest, .sig manifest,
# payload) signed through the front, then verified by one client.
t42_plain() {
	local f i dg refs=() pinned=()
	t42_start plain "$REG_MAIN" || return
	f=$T42_FRONT
	for i in 1 2 3 4; do
		dg=$(push_image "$REG_MAIN/t42/app$i:v1" "t42-app$i") ||
			{ fail "t42: push app$i"; return; }
		refs+=("$f/t42/app$i:v1")
		pinned+=("$f/t42/app$i@$dg")
	done
	expect_exit 0 "sign four images through the storage hosts" -- \
		"$SIGNET" sign --key "$KEY_A.key" "${refs[@]}"
	: >"$T42/plain/log"
	expect_exit 0 "verify four images across nine hosts in one client" -- \
		"$SIGNET" verify --key "$KEY_A.pub" "${refs[@]}"
	expect_stdout_eq "$(printf '%s\n' "${pinned[@]}")" \
		"many hosts: verify prints the four pinned references"
	check "many hosts: all nine storage hosts served downloads" -- \
		test "$(t42_hosts plain)" = 9
	check "many hosts: no request reached the wrong storage host" -- \
		test "$(t42_seen plain '.status == 421')" = 0
	expect_exit 1 "many hosts: the wrong key still exits 1" -- \
		"$SIGNET" verify --key "$KEY_B.pub" "${refs[@]}"
	expect_exit 0 "many hosts: list follows the storage hosts too" -- \
		"$SIGNET" list "${pinned[@]}"
}

# The same with a registry that wants credentials (TLS and htpasswd behind
# the front): the front passes the challenge on, the client answers it on
# the registry's host only, and the storage hosts never see credentials
# (they log in to the registry by themselves).
t42_auth() {
	local f i dg refs=() pinned=() cfg=$T42/docker
	T42_UPSTREAM_AUTH=$SECURE_USER:$SECURE_PASS
	export T42_UPSTREAM_AUTH
	t42_start auth "$REG_SECURE" --upstream-ca "$REG_SECURE_CA" \
		--upstream-auth-env T42_UPSTREAM_AUTH || return
	f=$T42_FRONT
	mkdir -p "$cfg"
	printf '{"auths":{"%s":{"auth":"%s"}}}\n' "$f" \
		"$(printf '%s' "$SECURE_USER:$SECURE_PASS" | base64 -w0)" \
		>"$cfg/config.json"
	for i in 1 2 3 4; do
		dg=$(push_image "$REG_SECURE/t42/auth$i:v1" "t42-auth$i") ||
			{ fail "t42: push auth$i"; return; }
		refs+=("$f/t42/auth$i:v1")
		pinned+=("$f/t42/auth$i@$dg")
	done
	expect_exit 0 "sign four images behind authentication" -- \
		env DOCKER_CONFIG="$cfg" "$SIGNET" sign --key "$KEY_A.key" \
		"${refs[@]}"
	: >"$T42/auth/log"
	expect_exit 0 "verify four images behind auth across nine hosts" -- \
		env DOCKER_CONFIG="$cfg" "$SIGNET" verify \
		--key "$KEY_A.pub" "${refs[@]}"
	expect_stdout_eq "$(printf '%s\n' "${pinned[@]}")" \
		"many hosts with auth: verify prints the four pinned references"
	check "many hosts with auth: the registry got credentials" -- test \
		"$(t42_seen auth '.listener == "front" and .auth == "basic"')" -gt 0
	check "many hosts with auth: all nine storage hosts served" -- \
		test "$(t42_hosts auth)" = 9
	check "many hosts with auth: no storage host saw credentials" -- test \
		"$(t42_seen auth '.listener != "front" and .auth != null')" = 0
	expect_exit 2 "many hosts with auth: no credentials exits 2" -- \
		"$SIGNET" verify --key "$KEY_A.pub" "${refs[@]}"
	expect_error_message "many hosts with auth: refusal explained" \
		'auth|401'
}

t42_plain
t42_auth
t42_stop_all
