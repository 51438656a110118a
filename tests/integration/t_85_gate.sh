# shellcheck shell=bash
# signet gate: Docker's authorization plugin protocol.
#
# Part 1 drives the plugin socket directly (curl --unix-socket): the
# protocol, hostile inputs, the log. Part 2 runs a real dockerd of the
# test's own with the gate as its authorization plugin. That dockerd, its
# registry and the gate live in a network and mount namespace of their
# own (unshare): in the host's network namespace a second dockerd deletes
# the host daemon's docker0 bridge, and a tmpfs over /run there keeps the
# host's /run/docker/plugins and /run/containerd out of reach. Part 2 runs
# only as root with dockerd, unshare and nsenter present.

T85=$WORK/t85
mkdir -p "$T85/keys"
cp "$KEY_A.pub" "$T85/keys/alice.pub"
cat >"$T85/policy.json" <<'EOF'
{ "version": 1,
  "keys": { "alice": { "public-key": "keys/alice.pub" } },
  "rules": [
    { "scope": "127.0.0.1:5000/**", "keys": ["alice"] },
    { "scope": "127.0.0.1:5999/**", "keys": ["alice"] },
    { "scope": "dev.local/**", "insecure-accept-anything": true } ] }
EOF

# t85_wait_sock PATH [RUNNER...]: bounded wait (~10 s) for a socket.
t85_wait_sock() {
	local p=$1 n
	shift
	for ((n = 0; n < 100; n++)); do
		"$@" test -S "$p" && return 0
		sleep 0.1
	done
	return 1
}

# t85_authz SOCK JSON: POST an AuthZReq; the answer on stdout.
t85_authz() {
	curl -s --max-time 20 --unix-socket "$1" -X POST \
		-H 'Content-Type: application/json' --data-binary "$2" \
		http://plugin/AuthZPlugin.AuthZReq
}

# ---- part 1: the protocol, without docker ---------------------------------

t85_part1() {
	local s=$T85/p1.sock log=$T85/p1.log pid body b64 i
	"$SIGNET" gate --policy "$T85/policy.json" --socket "$s" \
		--docker-host "unix://$T85/no-docker.sock" --log "$log" \
		2>"$T85/p1.err" &
	pid=$!
	check "gate: socket comes up" -- t85_wait_sock "$s"
	check "gate: socket is mode 0600" -- \
		test "$(stat -c %a "$s")" = 600
	run_cmd curl -s --unix-socket "$s" -X POST http://p/Plugin.Activate
	expect_stdout_eq '{"Implements":["authz"]}' "gate: activate: authz"

	run_cmd t85_authz "$s" '{"User":"u","RequestMethod":"GET","RequestUri":"/v1.41/containers/json"}'
	expect_stdout_eq '{"Allow":true}' "gate: GET passes"
	body=$(printf '{"Image":"x"}' | base64 -w0)
	run_cmd t85_authz "$s" "{\"RequestMethod\":\"POST\",\"RequestUri\":\"/v1.41/containers/x/stop\",\"RequestBody\":\"$body\"}"
	expect_stdout_eq '{"Allow":true}' "gate: POST stop passes"
	run_cmd curl -s --unix-socket "$s" -X POST \
		--data-binary '{"ResponseStatusCode":200}' \
		http://p/AuthZPlugin.AuthZRes
	expect_stdout_eq '{"Allow":true}' "gate: AuthZRes allows"

	# create: the engine cannot be asked: deny, saying why
	b64=$(printf '{"Image":"127.0.0.1:5000/app:1"}' | base64 -w0)
	run_cmd t85_authz "$s" "{\"User\":\"alice\",\"RequestMethod\":\"POST\",\"RequestUri\":\"/v1.47/containers/create?name=c\",\"RequestBody\":\"$b64\"}"
	expect_stdout_match '^\{"Allow":false,"Msg":"cannot ask the docker engine about .127.0.0.1:5000/app:1.: cannot reach the docker engine' \
		"gate: create without an engine: denied with the reason"
	# an escaped path is the same request
	run_cmd t85_authz "$s" "{\"RequestMethod\":\"POST\",\"RequestUri\":\"/v1.41/containers/./cr%65ate\",\"RequestBody\":\"$b64\"}"
	expect_stdout_match '"Allow":false' "gate: escaped create path: judged"
	# dockerd's decoder reads "image" as Image: two of them are refused
	b64=$(printf '{"Image":"dev.local/a:1","image":"127.0.0.1:5000/x:1"}' | base64 -w0)
	run_cmd t85_authz "$s" "{\"RequestMethod\":\"POST\",\"RequestUri\":\"/containers/create\",\"RequestBody\":\"$b64\"}"
	expect_stdout_match 'names its image 2 times' "gate: Image twice (any case): denied"
	run_cmd t85_authz "$s" '{"RequestMethod":"POST","RequestUri":"/v1.41/containers/create"}'
	expect_stdout_match 'no container config to check' "gate: create without a body: denied"
	run_cmd t85_authz "$s" '{"RequestMethod":"POST","RequestUri":"/v1.41/images/create?fromImage=127.0.0.1%3A5000%2Fapp"}'
	expect_stdout_match 'every tag' "gate: pull of all tags: denied"
	run_cmd t85_authz "$s" '{"RequestMethod":"POST","RequestUri":"/v1.41/images/create?fromImage=elsewhere.example%2Fapp&tag=1"}'
	expect_stdout_match '"Allow":false,"Msg":"no rule of policy .* matches .elsewhere.example/app.' \
		"gate: pull without a rule: denied"
	run_cmd t85_authz "$s" '{"RequestMethod":"POST","RequestUri":"/v1.41/images/create?fromSrc=-&repo=x"}'
	expect_stdout_eq '{"Allow":true}' "gate: import passes (judged when run)"

	# hostile: invalid JSON, an oversized body, unknown endpoints, GET
	run_cmd t85_authz "$s" '{"RequestMethod":'
	expect_stdout_match '^\{"Allow":false,"Msg":".*AuthZReq' "gate: invalid JSON: denied"
	head -c $((5 << 20)) /dev/zero | tr '\0' 'a' >"$T85/big"
	run_cmd curl -s --max-time 20 --unix-socket "$s" -X POST \
		--data-binary @"$T85/big" http://p/AuthZPlugin.AuthZReq
	expect_stdout_match '"Allow":false,"Msg":"the AuthZReq is over 4194304 bytes"' \
		"gate: oversized body: denied"
	run_cmd curl -s -w ' %{http_code}' --unix-socket "$s" -X POST http://p/Nope
	expect_stdout_eq '{"Err":"unknown endpoint '"'/Nope'"'"} 404' "gate: unknown endpoint: 404"
	run_cmd curl -s -w ' %{http_code}' --unix-socket "$s" http://p/Plugin.Activate
	expect_stdout_match ' 405$' "gate: GET: 405"
	# a slow client holds its connection; others are served meanwhile
	python3 - "$s" >/dev/null 2>&1 <<'EOF' &
import socket, sys, time
c = socket.socket(socket.AF_UNIX)
c.connect(sys.argv[1])
c.sendall(b"POST /AuthZPlugin.AuthZReq HTTP/1.1\r\nHost: p\r\nContent-Length: 100\r\n\r\n{")
time.sleep(8)
EOF
	local slow=$!
	sleep 0.3
	local pids=()
	for i in 1 2 3; do
		t85_authz "$s" '{"RequestMethod":"GET","RequestUri":"/_ping"}' \
			>"$T85/parallel.$i" &
		pids+=($!)
	done
	wait "${pids[@]}"
	check "gate: parallel requests answered" -- \
		grep -qx '{"Allow":true}' "$T85/parallel.1" "$T85/parallel.2" \
		"$T85/parallel.3"
	run_cmd t85_authz "$s" '{"RequestMethod":"GET","RequestUri":"/_ping"}'
	expect_stdout_eq '{"Allow":true}' "gate: served beside a slow client"
	kill "$slow" 2>/dev/null
	wait "$slow" 2>/dev/null

	check "gate: still running after hostile inputs" -- kill -0 "$pid"
	expect_exit 0 "gate: the log is JSON lines with the fields" -- jq -e -s \
		'length > 0 and all(.[]; (.time|type) == "string" and
		has("user") and has("request") and has("image") and
		has("digest") and (.verdict == "allow" or .verdict == "deny")
		and (.reason|type) == "string")' "$log"
	run_cmd grep -c '"verdict":"deny"' "$log"
	check "gate: the log has the denials" -- test "$(cat "$LAST_OUT")" -ge 5
	check "gate: the log names the user" -- \
		grep -q '"user":"alice","request":"POST /v1.47/containers/create?name=c"' "$log"

	# a second gate on a live socket is refused; SIGTERM removes it
	expect_exit 2 "gate: a second gate on a live socket" -- "$SIGNET" gate \
		--policy "$T85/policy.json" --socket "$s"
	expect_error_message "gate: says the socket is being served" \
		'being served already'
	kill "$pid"
	wait "$pid"
	check "gate: exits 0 on SIGTERM" -- test $? = 0
	check "gate: socket removed on exit" -- test ! -e "$s"
	expect_exit 2 "gate: --docker-host must be unix://" -- "$SIGNET" gate \
		--docker-host tcp://127.0.0.1:2375
	expect_exit 2 "gate: no policy" -- env SIGNET_POLICY= \
		XDG_CONFIG_HOME="$T85/none" "$SIGNET" gate --socket "$s"
}

t85_part1
