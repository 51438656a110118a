# shellcheck shell=bash
# Faults (issue 7): a real docker-registry killed with SIGKILL in the
# middle of `signet sign` and started again on the same storage and port;
# the command's deadline (--deadline) against a registry that answers 503
# forever, one that never answers, and a signer that never settles; the
# connect timeout against a port that never completes a connection; and
# which requests signet sends again after a failure (idempotent ones only).
#
# tests/hostile/proxy.py sits in front of the registry to make the timing
# deterministic: it holds the request to be interrupted ("hold") and logs
# it, the test kills the registry while signet waits for the answer, and
# the proxy then finds nobody behind it. Sourced by run.sh.

T37=$WORK/t37
mkdir -p "$T37"
T37_PROXY=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/hostile/proxy.py
T37_PY=$(python3 -c 'import sys; print(sys.executable)')
T37_SAVED_CMD_TIMEOUT=$CMD_TIMEOUT
CMD_TIMEOUT=40			# nothing here may take longer
T37_PXPID=
T37_BHPID=

# ---- the registry, the proxy, a black hole ----------------------------------

# t37_reg_kill: SIGKILL the registry, as a crash or an OOM kill would.
t37_reg_kill() {
	kill -9 "$REG_FAULTS_PID" 2>/dev/null
	wait "$REG_FAULTS_PID" 2>/dev/null
	return 0
}

# t37_reg_restart: the same registry again, same config, storage and port.
t37_reg_restart() {
	local conf=$WORK/registry-faults/config.yml n
	docker-registry serve "$conf" >>"$WORK/registry-faults/registry.log" 2>&1 &
	REG_FAULTS_PID=$!
	REG_PIDS+=("$!")
	for ((n = 0; n < 100; n++)); do
		[ "$(http_code "http://$REG_FAULTS/v2/")" = 200 ] && return 0
		kill -0 "$REG_FAULTS_PID" 2>/dev/null || break
		sleep 0.1
	done
	log "t37: the registry did not come back on $REG_FAULTS:"
	tail -n 5 "$WORK/registry-faults/registry.log" >&2
	return 1
}

t37_proxy_start() {
	local d=$T37/proxy n
	mkdir -p "$d"
	echo '{"rules":[]}' >"$d/rules.json"
	"$T37_PY" "$T37_PROXY" --upstream "$REG_FAULTS" --port-file "$d/port" \
		--rules "$d/rules.json" --log "$d/log" --lifetime 600 \
		</dev/null >>"$d/proxy.out" 2>&1 &
	T37_PXPID=$!
	REG_PIDS+=("$!")
	for ((n = 0; n < 150; n++)); do
		[ -s "$d/port" ] && break
		kill -0 "$T37_PXPID" 2>/dev/null || break
		sleep 0.1
	done
	[ -s "$d/port" ] || { tail -n 5 "$d/proxy.out" >&2; return 1; }
	PX37=127.0.0.1:$(cat "$d/port")
}

# t37_rules JSON_ARRAY: the proxy's rules from now on; its log starts over.
t37_rules() {
	local f=$T37/proxy/rules.json
	printf '{"rules":%s}\n' "$1" >"$f.tmp" && mv "$f.tmp" "$f"
	: >"$T37/proxy/log"
}

# t37_seen JQ_CONDITION [LOG]: how many logged requests match.
t37_seen() {
	jq -s "[.[] | select(.path != null) | select($1)] | length" \
		"${2:-$T37/proxy/log}"
}

# t37_absent REPO REFERENCE: the registry has no such manifest.
t37_absent() {
	! reg_get_manifest "$REG_FAULTS" "$1" "$2" >/dev/null 2>&1
}

# A listening port whose accept queue is full and never drained: the
# kernel drops further SYNs, so connecting never completes.
t37_blackhole_start() {
	"$T37_PY" -c 'import socket, sys, time
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(0)
port = s.getsockname()[1]
fill = []
for i in range(4):
    c = socket.socket()
    c.setblocking(False)
    try:
        c.connect(("127.0.0.1", port))
    except BlockingIOError:
        pass
    fill.append(c)
time.sleep(0.3)
with open(sys.argv[1] + ".tmp", "w") as f:
    f.write("%d\n" % port)
import os
os.replace(sys.argv[1] + ".tmp", sys.argv[1])
time.sleep(300)' "$T37/blackhole.port" </dev/null >/dev/null 2>&1 &
	T37_BHPID=$!
	REG_PIDS+=("$!")
	local n
	for ((n = 0; n < 100; n++)); do
		[ -s "$T37/blackhole.port" ] && break
		sleep 0.1
	done
	[ -s "$T37/blackhole.port" ] || return 1
	BH37=127.0.0.1:$(cat "$T37/blackhole.port")
}

# ---- running signet -----------------------------------------------------------

t37_run() {
	local t0=${EPOCHREALTIME/[.,]/}
	run_cmd "$@"
	T37_MS=$(( (${EPOCHREALTIME/[.,]/} - t0) / 1000 ))
	if grep -q '"rules_error"' "$T37/proxy/log"; then
		fail "t37: the proxy could not read its rules: $LAST_CMD"
	fi
}

# t37_gave_up DESC REGEX MAX_MS -- CMD...: CMD exits 2 within MAX_MS with
# exactly one stderr line, 'signet: ...', matching REGEX.
# The bounds are the deadline plus 2.5 s for process start, key loading
# and a loaded machine (ASan, CI): far below what the command would take
# without the deadline (retries 8 s, --timeout 30 s, connect limit 10 s).
t37_gave_up() {
	local desc=$1 re=$2 max=$3
	shift 3
	[ "${1:-}" = -- ] && shift
	t37_run "$@"
	if [ "$LAST_RC" = 2 ]; then
		pass "$desc: exit 2"
	else
		fail "$desc (expected exit 2, got $LAST_RC, $T37_MS ms)"
		last_detail
		return 1
	fi
	if [ "$(wc -l <"$LAST_ERR")" = 1 ] && grep -q '^signet: ' "$LAST_ERR" &&
		grep -Eqi -- "$re" "$LAST_ERR"; then
		pass "$desc: one line saying why"
	else
		fail "$desc: stderr is not one 'signet: ...' line matching /$re/"
		last_detail
	fi
	if [ "$T37_MS" -le "$max" ]; then
		pass "$desc: done in $T37_MS ms (at most $max)"
	else
		fail "$desc: took $T37_MS ms (at most $max expected)"
	fi
}

# t37_kill_during DESC PATH_REGEX -- CMD...: run CMD (a signet sign through
# the proxy) in the background; when it sends the PUT whose path matches
# PATH_REGEX, kill the registry while the proxy holds that request. CMD
# must then fail (exit 2, one 'signet:' line); the registry is started
# again on the same storage and port.
t37_kill_during() {
	local desc=$1 re=$2 pid n rc t0
	shift 2
	[ "${1:-}" = -- ] && shift
	t37_rules "[{\"method\": \"PUT\", \"path\": \"$re\", \"hold\": 1,
		\"times\": 1}]"
	t0=${EPOCHREALTIME/[.,]/}
	timeout -k 5 "$CMD_TIMEOUT" setsid -w env HOME="$TEST_HOME" "$@" \
		</dev/null >"$T37/kill.out" 2>"$T37/kill.err" &
	pid=$!
	for ((n = 0; n < 300; n++)); do
		grep -q '"hold"' "$T37/proxy/log" && break
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	if grep -q '"hold"' "$T37/proxy/log"; then
		t37_reg_kill
		pass "$desc: the registry was killed during the PUT"
	else
		fail "$desc: the PUT to kill the registry at never came"
	fi
	wait "$pid"
	rc=$?
	T37_MS=$(( (${EPOCHREALTIME/[.,]/} - t0) / 1000 ))
	cat "$T37/kill.out" "$T37/kill.err" >>"$CAPTURED"
	if [ "$rc" = 2 ] && [ "$(wc -l <"$T37/kill.err")" = 1 ] &&
		grep -q '^signet: ' "$T37/kill.err" && ! [ -s "$T37/kill.out" ]; then
		pass "$desc: sign fails with one message, exit 2 ($T37_MS ms)"
	else
		fail "$desc: sign should exit 2 with one 'signet:' line" \
			"exit $rc after $T37_MS ms" \
			"stdout: $(head -c 300 "$T37/kill.out")" \
			"stderr: $(head -c 300 "$T37/kill.err")"
	fi
	cp "$T37/proxy/log" "$T37/kill.log"
	t37_rules '[]'
	check "$desc: the registry starts again on its storage" -- \
		t37_reg_restart
}

# ---- cases --------------------------------------------------------------------

t37_kill_cosign() {
	local img=$PX37/t37/cosign dg pin tag
	dg=$(push_image "$REG_FAULTS/t37/cosign:v1" t37-cosign) || {
		fail "t37: push t37/cosign"
		return 1
	}
	pin=$img@$dg
	tag=$(sig_tag "$dg")
	t37_kill_during "kill -9 during the .sig manifest PUT" \
		"/manifests/$tag\$" -- \
		"$SIGNET" sign --deadline 30 --key "$KEY_A.key" "$pin"
	check "cosign: the signature blob had been uploaded before the kill" -- \
		test "$(t37_seen '.method == "PUT" and (.path | test("/blobs/uploads/")) and .status == 201' "$T37/kill.log")" -ge 1
	expect_exit 1 "cosign: after the restart, nothing verifies" -- \
		"$SIGNET" verify --key "$KEY_A.pub" "$pin"
	check "cosign: no .sig manifest was left" -- \
		t37_absent t37/cosign "$tag"
	expect_exit 0 "cosign: the same sign command again completes" -- \
		"$SIGNET" sign --deadline 30 --key "$KEY_A.key" "$pin" &&
		expect_stdout_eq "$pin" "cosign: and prints the pinned image"
	expect_exit 0 "cosign: now the signature verifies" -- \
		"$SIGNET" verify --key "$KEY_A.pub" "$pin"
	check "cosign: the .sig manifest holds exactly one signature" -- \
		test "$(reg_get_manifest "$REG_FAULTS" t37/cosign "$tag" |
			jq '.layers | length')" = 1
}

t37_kill_notation() {
	local img=$PX37/t37/notation dg pin idx
	run_cmd "$SIGNET" keys generate --x509 --no-password "$T37/n"
	[ "$LAST_RC" = 0 ] || { fail "t37: keys generate --x509"; return 1; }
	dg=$(push_image "$REG_FAULTS/t37/notation:v1" t37-notation) || {
		fail "t37: push t37/notation"
		return 1
	}
	pin=$img@$dg
	idx=sha256-${dg#sha256:}
	# docker-registry has no referrers API: signet pushes the signature
	# manifest by digest, then adds it to the sha256-<hex> tag index;
	# the registry dies while the index is being written
	t37_kill_during "kill -9 during the referrers tag index PUT" \
		"/manifests/$idx\$" -- \
		"$SIGNET" sign --deadline 30 --format notation \
		--key "$T37/n.key" --cert "$T37/n.crt" "$pin"
	check "notation: the signature manifest had been pushed by digest" -- \
		test "$(t37_seen '.method == "PUT" and (.path | test("/manifests/sha256:")) and .status == 201' "$T37/kill.log")" -ge 1
	expect_exit 1 "notation: after the restart, nothing verifies" -- \
		"$SIGNET" verify --format notation --key "$T37/n.crt" \
		"$pin"
	check "notation: no referrers tag index was left" -- \
		t37_absent t37/notation "$idx"
	expect_exit 0 "notation: the same sign command again completes" -- \
		"$SIGNET" sign --deadline 30 --format notation \
		--key "$T37/n.key" --cert "$T37/n.crt" "$pin"
	expect_exit 0 "notation: now the signature verifies" -- \
		"$SIGNET" verify --format notation --key "$T37/n.crt" \
		"$pin"
	check "notation: the tag index lists exactly one signature" -- \
		test "$(reg_get_manifest "$REG_FAULTS" t37/notation "$idx" |
			jq '.manifests | length')" = 1
}

# Which requests are sent again: a PUT by tag never blindly (the merge
# reads again first); the PUT finishing an upload never (the upload starts
# over and finds the blob stored).
t37_idempotent() {
	local img=$PX37/t37/idem dg tag seq
	dg=$(push_image "$REG_FAULTS/t37/idem:v1" t37-idem) || {
		fail "t37: push t37/idem"
		return 1
	}
	tag=$(sig_tag "$dg")
	t37_rules "[{\"method\": \"PUT\", \"path\": \"/manifests/$tag\$\",
		\"times\": 1, \"forward\": false, \"status\": 503,
		\"body\": \"down\"}]"
	t37_run "$SIGNET" sign --key "$KEY_A.key" "$img@$dg"
	check "tag PUT answered 503: sign still succeeds ($T37_MS ms)" -- \
		test "$LAST_RC" = 0
	seq=$(jq -r "select(.path | endswith(\"/$tag\")) | .method" \
		"$T37/proxy/log" | tr '\n' ' ')
	check "tag PUT answered 503: read again before writing again ($seq)" -- \
		grep -Eq '^GET PUT GET PUT ' <<<"$seq"

	# the upload's PUT commits the blob, then the answer is lost
	dg=$(push_image "$REG_FAULTS/t37/idem:v2" t37-idem-2) || return 1
	t37_rules '[{"method": "PUT", "path": "/blobs/uploads/", "times": 1,
		"close": true}]'
	t37_run "$SIGNET" sign --key "$KEY_A.key" "$img@$dg"
	check "upload PUT committed, answer lost: sign succeeds ($T37_MS ms)" -- \
		test "$LAST_RC" = 0
	seq=$(jq -r 'select(.path | test("/blobs/")) | .method' \
		"$T37/proxy/log" | head -n 5 | tr '\n' ' ')
	check "upload answer lost: started over, the blob found stored ($seq)" -- \
		grep -Eq '^HEAD POST PUT HEAD ' <<<"$seq"
	check "upload answer lost: the session's PUT was sent once" -- \
		test "$(t37_seen '.method == "PUT" and (.path | test("/blobs/uploads/"))')" = 2
	expect_exit 0 "upload answer lost: the signature verifies" -- \
		"$SIGNET" verify --key "$KEY_A.pub" "$img@$dg"
}

t37_deadline() {
	local img=$PX37/t37/cosign tag dg
	dg=$(push_image "$REG_FAULTS/t37/late:v1" t37-late) || return 1
	tag=$(sig_tag "$dg")

	# 503 forever, asking for 2 s between tries: 4 retries would take
	# 8 s; the deadline of 3 s stops it before the second wait
	t37_rules '[{"method": "GET", "path": "/manifests/v1$",
		"forward": false, "status": 503, "body": "down",
		"headers": {"Retry-After": "2"}}]'
	t37_gave_up "503 forever, Retry-After: 2, --deadline 3" \
		'HTTP 503.*gave up after [0-9]+ s.*--deadline 3' 5500 -- \
		"$SIGNET" verify --deadline 3 --key "$KEY_A.pub" "$img:v1"
	check "503 forever: no more tries than fit" -- \
		test "$(t37_seen '.path | endswith("/manifests/v1")')" -le 2

	# no answer at all: the deadline cuts the request short of --timeout
	t37_rules '[{"method": "GET", "path": "/manifests/v1$", "delay": 60}]'
	t37_gave_up "no answer, --timeout 30 --deadline 3" \
		'no answer.*gave up after 3 s \(--deadline 3\)' 5500 -- \
		"$SIGNET" verify --timeout 30 --deadline 3 --key "$KEY_A.pub" \
		"$img:v1"

	# a .sig tag that never shows our entry: the merge would go on for
	# 40 rounds; the deadline ends it, in a write or a settle wait
	t37_rules "[{\"method\": \"GET\", \"path\": \"/manifests/$tag\$\",
		\"forward\": false, \"status\": 404,
		\"body\": \"{\\\"errors\\\":[{\\\"code\\\":\\\"MANIFEST_UNKNOWN\\\"}]}\"}]"
	# an unencrypted key: 600,000 rounds of PBKDF2 (seconds under ASan)
	# come before the deadline's clock starts and are not what is timed
	[ -e "$T37/plain.key" ] ||
		"$SIGNET" keys generate --no-password "$T37/plain" >/dev/null
	t37_gave_up "a signer that never settles, --deadline 2" \
		'gave up after [0-9]+ s.*--deadline 2' 4500 -- \
		"$SIGNET" sign --deadline 2 --key "$T37/plain.key" \
		"$PX37/t37/late@$dg"
	# that it tries again meanwhile is shown apart, with time to spare:
	# how many rounds fit in 2 s depends on how loaded the machine is.
	# It ends at the deadline or after its last round, exit 2 either way
	t37_rules "[{\"method\": \"GET\", \"path\": \"/manifests/$tag\$\",
		\"forward\": false, \"status\": 404,
		\"body\": \"{\\\"errors\\\":[{\\\"code\\\":\\\"MANIFEST_UNKNOWN\\\"}]}\"}]"
	expect_exit 2 "never settles, --deadline 30: gives up" -- \
		"$SIGNET" sign --deadline 30 --key "$T37/plain.key" \
		"$PX37/t37/late@$dg"
	check "never settles: it did try again meanwhile" -- \
		test "$(t37_seen ".method == \"PUT\" and (.path | endswith(\"/$tag\"))")" -ge 2
	t37_rules '[]'

	# and a good registry is not slowed down by a deadline
	expect_exit 0 "--deadline 10 with nothing wrong" -- \
		"$SIGNET" verify --deadline 10 --key "$KEY_A.pub" \
		"$PX37/t37/cosign:v1"
	expect_exit 2 "--deadline 0 is refused" -- \
		"$SIGNET" verify --deadline 0 --key "$KEY_A.pub" "$img:v1" &&
		expect_error_message "--deadline 0: one message" 'deadline'
}

t37_connect() {
	t37_blackhole_start || { fail "t37: black hole did not start"; return 1; }
	check "black hole: curl cannot connect in 1 s either" -- \
		test "$(http_code "http://$BH37/v2/" --connect-timeout 1)" = 000
	t37_gave_up "connect never completes, --timeout 2" \
		'timeout|timed out' 5000 -- \
		"$SIGNET" verify --timeout 2 --key "$KEY_A.pub" "$BH37/t37/x:v1"
	t37_gave_up "connect never completes, --deadline 2 (connect limit 10 s)" \
		'gave up after 2 s \(--deadline 2\)' 4500 -- \
		"$SIGNET" verify --deadline 2 --key "$KEY_A.pub" "$BH37/t37/x:v1"
	kill "$T37_BHPID" 2>/dev/null
	wait "$T37_BHPID" 2>/dev/null
}

# ---- run ---------------------------------------------------------------------

if reg_start faults && t37_proxy_start; then
	t37_kill_cosign
	t37_kill_notation
	t37_idempotent
	t37_deadline
	t37_connect
else
	fail "t37: set-up failed"
fi
[ -n "$T37_PXPID" ] && { kill "$T37_PXPID" 2>/dev/null; wait "$T37_PXPID" 2>/dev/null; }
CMD_TIMEOUT=$T37_SAVED_CMD_TIMEOUT
