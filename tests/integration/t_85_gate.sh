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

# ---- part 2: a real dockerd with the gate as its plugin --------------------

T85_HOLDER=
T85_PIDS=()

# The namespaces: a process that sleeps in them (a tmpfs over /run, lo up).
t85_ns_start() {
	unshare --mount --net --propagation private -- sh -c '
		mount -t tmpfs -o mode=0755 tmpfs /run &&
		mkdir -p /run/docker/plugins && ip link set lo up &&
		: >"$1" && exec sleep 100000' sh "$T85/ns.ready" \
		>>"$T85/ns.log" 2>&1 &
	T85_HOLDER=$!
	local n
	for ((n = 0; n < 50; n++)); do
		[ -e "$T85/ns.ready" ] && break
		sleep 0.1
	done
	[ -e "$T85/ns.ready" ] || return 1
	# ns CMD...: CMD inside, the docker client pointed at our dockerd
	cat >"$T85/ns" <<NS
#!/bin/sh
exec nsenter --net=/proc/$T85_HOLDER/ns/net --mount=/proc/$T85_HOLDER/ns/mnt \
	-- env DOCKER_HOST=unix://$T85/d/docker.sock "\$@"
NS
	chmod +x "$T85/ns"
}

t85_gate_start() {
	"$T85/ns" "$SIGNET" gate --policy "$T85/policy.json" \
		--docker-host "unix://$T85/d/docker.sock" --log "$T85/gate.log" \
		"$@" 2>>"$T85/gate.err" &
	T85_GATE=$!
	t85_wait_sock /run/docker/plugins/signet.sock "$T85/ns"
}

t85_gate_stop() {
	kill "$T85_GATE" 2>/dev/null
	wait "$T85_GATE" 2>/dev/null
}

t85_dockerd_start() {
	local d=$T85/d n
	mkdir -p "$d/root" "$d/exec" "$T85/reg"
	# the machine's /etc/docker/daemon.json is not read: ours instead
	cat >"$d/daemon.json" <<'EOF2'
{ "authorization-plugins": ["signet"], "storage-driver": "vfs",
  "insecure-registries": ["127.0.0.1:5000"] }
EOF2
	printf 'version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: %s\nhttp:\n  addr: 127.0.0.1:5000\n' \
		"$T85/reg" >"$T85/reg.yml"
	"$T85/ns" docker-registry serve "$T85/reg.yml" >>"$T85/reg.log" 2>&1 &
	T85_PIDS+=($!)
	"$T85/ns" dockerd --data-root "$d/root" --exec-root "$d/exec" \
		--pidfile "$d/docker.pid" -H "unix://$d/docker.sock" \
		--config-file "$d/daemon.json" --bridge=none --iptables=false \
		--ip6tables=false >>"$T85/dockerd.log" 2>&1 &
	T85_DOCKERD=$!
	for ((n = 0; n < 300; n++)); do
		"$T85/ns" docker version >/dev/null 2>&1 && return 0
		kill -0 "$T85_DOCKERD" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

t85_cleanup() {
	"$T85/ns" docker ps -aq 2>/dev/null | xargs -r "$T85/ns" docker rm -f \
		>/dev/null 2>&1
	kill "$T85_DOCKERD" 2>/dev/null
	wait "$T85_DOCKERD" 2>/dev/null
	t85_gate_stop
	kill "${T85_PIDS[@]}" 2>/dev/null
	wait "${T85_PIDS[@]}" 2>/dev/null
	kill "$T85_HOLDER" 2>/dev/null
	wait "$T85_HOLDER" 2>/dev/null
}

# t85_rootfs DIR WORDS: a one-binary root: /hello prints WORDS.
t85_rootfs() {
	mkdir -p "$1/root"
	printf '#include <unistd.h>\nint main(void){write(1,"%s\\n",%d);return 0;}\n' \
		"$2" $((${#2} + 1)) >"$1/hello.c"
	gcc -static -Os -o "$1/root/hello" "$1/hello.c" &&
		tar --sort=name --mtime=@0 --owner=0 --group=0 -C "$1/root" \
			-cf "$1/rootfs.tar" hello
}

# dk ARGS: the docker client of our dockerd (for expect_exit).
t85_dk() { "$T85/ns" docker "$@"; }

# A start judged by the container's name, and the name moved to another
# container while the gate verifies: the registry (through the hostile
# proxy) holds the gate's first request until the names are swapped.
t85_rename_race() {
	local px=$T85/px good n started
	good=$(head -n 1 "$T85/c.1")
	mkdir -p "$px"
	echo '{"rules":[{"hold":20,"times":1}]}' >"$px/rules.json"
	"$T85/ns" python3 "$(dirname "${BASH_SOURCE[0]}")/../hostile/proxy.py" \
		--upstream 127.0.0.1:5000 --port-file "$px/port" \
		--rules "$px/rules.json" --log "$px/log" --lifetime 300 \
		>>"$px/err" 2>&1 &
	T85_PIDS+=($!)
	for ((n = 0; n < 100; n++)); do
		[ -s "$px/port" ] && break
		sleep 0.1
	done
	t85_gate_stop
	export SIGNET_DEBUG=1
	export SIGNET_TEST_CONNECT_TO="127.0.0.1:5000:127.0.0.1:$(cat "$px/port")"
	check "gate: restarted through the holding proxy" -- \
		t85_gate_start --policy "$T85/strict.json" --cache-ttl 0
	unset SIGNET_DEBUG SIGNET_TEST_CONNECT_TO
	expect_exit 0 "gate: rename a signed container 'good'" -- "$T85/ns" \
		docker rename "$good" good
	"$T85/ns" docker start good >"$px/start.out" 2>"$px/start.err" &
	started=$!
	for ((n = 0; n < 150; n++)); do
		grep -q '"hold"' "$px/log" 2>/dev/null && break
		sleep 0.1
	done
	check "gate: the proxy holds the gate's verification" -- \
		grep -q '"hold"' "$px/log"
	expect_exit 0 "gate: rename 'good' away while it is judged" -- \
		"$T85/ns" docker rename good good-old
	expect_exit 0 "gate: rename the untrusted dev1 to 'good'" -- \
		"$T85/ns" docker rename dev1 good
	wait "$started"
	check "gate: the swapped-in container is not started" -- \
		test $? != 0
	check "gate: the untrusted container never ran" -- grep -q '^0001-' \
		<("$T85/ns" docker inspect -f '{{.State.StartedAt}}' good)
	check "gate: the start is denied: the container changed" -- \
		grep -q "authorization denied by plugin signet: .*changed" \
		"$px/start.err"
	t85_gate_stop
	check "gate: restarted under the stricter policy" -- t85_gate_start \
		--policy "$T85/strict.json"
}

t85_part2() {
	local app=127.0.0.1:5000/app:1 uns=127.0.0.1:5000/unsigned:1 d i
	t85_rootfs "$T85/img-a" "signed hello" &&
		t85_rootfs "$T85/img-b" "unsigned hello" ||
		{ fail "gate: cannot build the test images (gcc -static)"; return; }
	t85_ns_start || { fail "gate: cannot make the namespaces"; return; }
	check "gate: plugin socket up in the namespace" -- t85_gate_start
	if ! t85_dockerd_start; then
		fail "gate: the test's dockerd did not start" \
			"$(tail -n 5 "$T85/dockerd.log")"
		t85_cleanup
		return
	fi
	# images: imported (no registry digest), pushed, one signed
	expect_exit 0 "gate: docker import passes" -- "$T85/ns" docker import \
		--change 'CMD ["/hello"]' "$T85/img-a/rootfs.tar" "$app"
	expect_exit 0 "gate: docker push passes" -- "$T85/ns" docker push -q "$app"
	expect_exit 0 "gate: import unsigned" -- "$T85/ns" docker import \
		--change 'CMD ["/hello"]' "$T85/img-b/rootfs.tar" "$uns"
	expect_exit 0 "gate: push unsigned" -- "$T85/ns" docker push -q "$uns"
	expect_exit 0 "gate: sign app:1" -- "$T85/ns" "$SIGNET" sign \
		--key "$KEY_A.key" "$app"
	d=$(head -n 1 "$LAST_OUT")
	expect_exit 0 "gate: rmi all" -- "$T85/ns" docker rmi -f "$app" "$uns"

	# pulls
	expect_exit 0 "gate: pull of a signed image" -- "$T85/ns" docker pull -q "$app"
	expect_exit 1 "gate: pull of an unsigned image" -- "$T85/ns" docker pull -q "$uns"
	expect_stderr_match "authorization denied by plugin signet: '127.0.0.1:5000/unsigned@sha256:[0-9a-f]{64}': policy rule rules\[0\] .*needs signatures" \
		"gate: unsigned pull: docker prints the reason"
	# run
	expect_exit 0 "gate: run of the signed image" -- "$T85/ns" docker run \
		--rm --network none "$app"
	expect_stdout_eq "signed hello" "gate: the signed image ran"
	# loaded, imported, retagged: no registry digest of the repository
	expect_exit 0 "gate: import a local image" -- "$T85/ns" docker import \
		--change 'CMD ["/hello"]' "$T85/img-b/rootfs.tar" local/tool:1
	expect_exit 0 "gate: save it" -- "$T85/ns" docker save -o \
		"$T85/tool.tar" local/tool:1
	expect_exit 0 "gate: rmi it" -- "$T85/ns" docker rmi local/tool:1
	expect_exit 0 "gate: docker load passes" -- "$T85/ns" docker load -q \
		-i "$T85/tool.tar"
	expect_exit 1 "gate: create of a loaded image" -- "$T85/ns" docker \
		create --network none local/tool:1
	expect_stderr_match "authorization denied by plugin signet: 'local/tool:1' has no registry digest of docker.io/local/tool" \
		"gate: loaded image: docker prints the reason"
	expect_exit 125 "gate: run of a loaded image" -- "$T85/ns" docker \
		run --rm --network none local/tool:1
	expect_stderr_match "docker: Error response from daemon: authorization denied by plugin signet: " \
		"gate: run of a loaded image: the message"
	expect_exit 0 "gate: retag the loaded image as app:1" -- "$T85/ns" \
		docker tag local/tool:1 "$app"
	expect_exit 1 "gate: create of a retagged image" -- "$T85/ns" docker \
		create --network none "$app"
	expect_stderr_match "has no registry digest of 127.0.0.1:5000/app" \
		"gate: retagged image: the reason"
	expect_exit 0 "gate: pull app:1 back" -- "$T85/ns" docker pull -q "$app"
	expect_exit 0 "gate: import under an accept-anything scope" -- \
		"$T85/ns" docker import "$T85/img-b/rootfs.tar" dev.local/tool:1
	expect_exit 0 "gate: create under insecure-accept-anything" -- \
		"$T85/ns" docker create --network none --name dev1 \
		dev.local/tool:1 /hello
	# registry unreachable
	expect_exit 1 "gate: pull from an unreachable registry" -- "$T85/ns" \
		docker pull -q 127.0.0.1:5999/app:1
	expect_stderr_match "authorization denied by plugin signet: .*127.0.0.1:5999" \
		"gate: unreachable registry: denied with the reason"

	# 50 concurrent creates of one image: one verification (a new gate,
	# so nothing is remembered yet)
	t85_gate_stop
	: >"$T85/gate.log"
	check "gate: restarted" -- t85_gate_start
	local pids=()
	for ((i = 0; i < 50; i++)); do
		"$T85/ns" docker create -q --network none "$app" \
			>"$T85/c.$i" 2>&1 &
		pids+=($!)
	done
	local bad=0
	for i in "${pids[@]}"; do wait "$i" || bad=$((bad + 1)); done
	check "gate: 50 concurrent creates allowed" -- test "$bad" = 0
	check "gate: 50 allows logged" -- test "$(grep -c '"kind":"create".*"verdict":"allow"' "$T85/gate.log")" = 50
	check "gate: one verification for 50 creates" -- \
		test "$(grep -c '"verdict":"allow","reason":"verified[^"]*","cached":false' "$T85/gate.log")" = 1
	[ -z "$d" ] || check "gate: the log names the digest" -- \
		grep -q "\"digest\":\"$d\"" "$T85/gate.log"

	expect_exit 0 "gate: start of a created container" -- "$T85/ns" docker \
		start -a "$(head -n 1 "$T85/c.0")"
	expect_stdout_eq "signed hello" "gate: the started container ran"
	check "gate: start judged by the container's image" -- grep -q \
		'"kind":"start","image":"127.0.0.1:5000/app:1","digest":"127.0.0.1:5000/app@sha256:[0-9a-f]*","verdict":"allow"' \
		"$T85/gate.log"
	# the policy tightened after a container was created: start denied
	cat >"$T85/strict.json" <<'EOF2'
{ "version": 1,
  "keys": { "alice": { "public-key": "keys/alice.pub" } },
  "rules": [ { "scope": "127.0.0.1:5000/**", "keys": ["alice"] } ] }
EOF2
	t85_gate_stop
	check "gate: restarted under a stricter policy" -- t85_gate_start \
		--policy "$T85/strict.json"
	expect_exit 1 "gate: start of a container whose image is no longer trusted" \
		-- "$T85/ns" docker start dev1
	expect_stderr_match "authorization denied by plugin signet: 'dev.local/tool:1' has no registry digest" \
		"gate: start denied: the reason"
	# a legacy link names dev1 "web/dev" too: dockerd starts it by that
	# name, so the gate must judge it by that name
	expect_exit 0 "gate: create a container linking to dev1" -- \
		"$T85/ns" docker create --network none --name web \
		--link dev1:dev "$app"
	expect_exit 1 "gate: start through a link name" -- "$T85/ns" docker \
		start web/dev
	expect_stderr_match "authorization denied by plugin signet: 'dev.local/tool:1' has no registry digest" \
		"gate: start through a link name: judged by its image"
	# an absolute-form request target (RequestUri "http://h/...") is
	# routed by its path all the same: judged, not passed
	run_cmd "$T85/ns" curl -s -o /dev/null -w '%{http_code}' -X POST \
		--unix-socket "$T85/d/docker.sock" --request-target \
		"http://docker/v1.41/containers/dev1/start" http://docker/
	check "gate: absolute-form start of dev1: not started" -- \
		not grep -q '^204$' "$LAST_OUT"
	check "gate: absolute-form start: dev1 never ran" -- grep -q '^0001-' \
		<("$T85/ns" docker inspect -f '{{.State.StartedAt}}' dev1)
	t85_rename_race
	# no such container: denied, as a rename could make one appear
	# between the gate's look and dockerd's
	expect_exit 1 "gate: start of no container" -- "$T85/ns" docker \
		start nosuch
	expect_stderr_match "authorization denied by plugin signet: no container 'nosuch'" \
		"gate: start of no container: denied by the gate"

	# the gate stopped: dockerd refuses everything (after its retries)
	t85_gate_stop
	expect_exit 1 "gate: plugin down: dockerd refuses" -- "$T85/ns" docker \
		create --network none "$app"
	expect_stderr_match "500 Internal Server Error" "gate: plugin down: the error"
	check "gate: plugin down: dockerd says the plugin failed" -- \
		grep -q 'plugin signet failed with error' "$T85/dockerd.log"
	t85_cleanup
}

if [ "$(id -u)" = 0 ] && command -v dockerd >/dev/null &&
	command -v unshare >/dev/null && command -v nsenter >/dev/null &&
	command -v docker >/dev/null && command -v gcc >/dev/null; then
	t85_part2
else
	log "t_85: no root, dockerd, docker, unshare, nsenter or gcc: the real-dockerd part is skipped"
fi
