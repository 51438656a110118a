# shellcheck shell=bash
# Slow registries (issue 14, items 5 and 8): tests/hostile/proxy.py in
# front of real docker-registry instances trickles answers out one byte
# every 50 ms (never below libcurl's 1 byte/s low-speed limit), holds
# them back, or redirects a blob to a pre-signed storage URL.
#
#  - Every stall is bounded: a drip-fed image manifest, .sig manifest,
#    payload blob, header block or token answer ends `signet verify` with
#    exit 2 well before its deadline (an answer must average 1 KiB/s), a
#    timed-out request is sent again once only, and a registry that is
#    merely slow on every request is cut off by the default deadline of
#    60 s for one image; --deadline overrides it.
#  - SIGNET_DEBUG=1 traces no query string: not a pre-signed redirect's
#    X-Amz-Signature, not a token realm's, not an upload's state.
#
# The drip cases run in parallel, each on its own repository under one
# set of proxy rules, so the suite waits about a minute once, not once per
# case. Each is bounded by a time limit of its own (a hang fails the case,
# it does not hang the suite) and by the deadline, never by speed.
# Sourced by run.sh.

T91=$WORK/t91
mkdir -p "$T91"
T91_PROXY=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/hostile/proxy.py
T91_PY=$(python3 -c 'import sys; print(sys.executable)')
declare -A T91_PX=() T91_EVIL=() T91_PXPID=()
T91_BG=()

# ---- the proxies ------------------------------------------------------------

# t91_proxy NAME UPSTREAM [proxy options...]: start a proxy and wait for
# its two listeners: T91_PX[NAME], T91_EVIL[NAME].
t91_proxy() {
	local name=$1 up=$2 d=$T91/proxy-$1 n
	shift 2
	mkdir -p "$d"
	echo '{"rules":[]}' >"$d/rules.json"
	"$T91_PY" "$T91_PROXY" --upstream "$up" --port-file "$d/port" \
		--evil-port-file "$d/evil" --rules "$d/rules.json" \
		--log "$d/log" --lifetime 900 "$@" </dev/null >>"$d/proxy.out" 2>&1 &
	T91_PXPID[$name]=$!
	REG_PIDS+=("$!")
	for ((n = 0; n < 150; n++)); do
		[ -s "$d/port" ] && [ -s "$d/evil" ] && break
		kill -0 "${T91_PXPID[$name]}" 2>/dev/null || break
		sleep 0.1
	done
	if ! [ -s "$d/port" ] || ! [ -s "$d/evil" ]; then
		log "t91: proxy $name did not start:"
		tail -n 5 "$d/proxy.out" >&2
		return 1
	fi
	T91_PX[$name]=127.0.0.1:$(cat "$d/port")
	T91_EVIL[$name]=127.0.0.1:$(cat "$d/evil")
}

# t91_rules NAME JSON_ARRAY: the rules of proxy NAME from now on; its log
# starts afresh.
t91_rules() {
	local f=$T91/proxy-$1/rules.json
	printf '{"rules":%s}\n' "$2" >"$f.tmp" && mv "$f.tmp" "$f"
	: >"$T91/proxy-$1/log"
}

# t91_seen NAME JQ_CONDITION: how many logged requests of proxy NAME match.
t91_seen() {
	jq -s "[.[] | select(.path != null) | select($2)] | length" \
		"$T91/proxy-$1/log"
}

t91_rules_ok() {
	if grep -q '"rules_error"' "$T91"/proxy-*/log; then
		fail "t91: the proxy could not read its rules" \
			"$(grep -h '"rules_error"' "$T91"/proxy-*/log | head -n 1)"
		return 1
	fi
}

# ---- commands in parallel -----------------------------------------------------

# t91_bg NAME LIMIT -- CMD ARGS...: run CMD in the background as run_cmd
# would (empty HOME, no terminal, stdin from /dev/null), killed after
# LIMIT seconds; t91_wait waits for all, t91_result reads one.
t91_bg() {
	local name=$1 limit=$2
	shift 2
	[ "${1:-}" = -- ] && shift
	printf '%q ' "$@" >"$T91/$name.cmd"
	(
		t0=${EPOCHREALTIME/[.,]/}
		timeout -k 5 "$limit" setsid -w env HOME="$TEST_HOME" "$@" \
			</dev/null >"$T91/$name.out" 2>"$T91/$name.err"
		rc=$?
		echo "$rc $(( (${EPOCHREALTIME/[.,]/} - t0) / 1000 ))" \
			>"$T91/$name.res"
	) &
	T91_BG+=("$!")
}

t91_wait() {
	local pid
	for pid in "${T91_BG[@]}"; do
		wait "$pid"
	done
	T91_BG=()
}

# t91_result NAME WANT MAX_MS DESC [REGEX]: the command NAME exited WANT
# within MAX_MS; when WANT is 2, stderr is one line 'signet: ...' matching
# REGEX (grep -Ei) and stdout is empty. Its output joins the leak check.
t91_result() {
	local name=$1 want=$2 max=$3 desc=$4 re=${5:-} rc ms
	read -r rc ms <"$T91/$name.res"
	LAST_CMD=$(cat "$T91/$name.cmd")
	LAST_RC=$rc
	cp "$T91/$name.out" "$LAST_OUT"
	cp "$T91/$name.err" "$LAST_ERR"
	cat "$LAST_OUT" "$LAST_ERR" >>"$CAPTURED"
	{
		echo "### $LAST_CMD -> exit $rc ($ms ms)"
		sed 's/^/1| /' "$LAST_OUT"
		sed 's/^/2| /' "$LAST_ERR"
	} >>"$WORK/trace.log"
	if [ "$rc" != "$want" ]; then
		fail "$desc (expected exit $want, got $rc after $ms ms)"
		last_detail
		return 1
	fi
	pass "$desc: exit $rc"
	if [ "$ms" -le "$max" ]; then
		pass "$desc: done in $ms ms (at most $max)"
	else
		fail "$desc: took $ms ms (at most $max expected)"
	fi
	[ "$want" = 2 ] || return 0
	if [ "$(wc -l <"$LAST_ERR")" != 1 ] || ! grep -q '^signet: ' "$LAST_ERR"; then
		fail "$desc: stderr is not one 'signet: ...' line"
		last_detail
	elif [ -n "$re" ] && ! grep -Eqi -- "$re" "$LAST_ERR"; then
		fail "$desc: the message does not match /$re/"
		last_detail
	else
		pass "$desc: says why"
	fi
	if [ -s "$LAST_OUT" ]; then
		fail "$desc: something printed on stdout"
		last_detail
	fi
}

# ---- set-up -----------------------------------------------------------------

# t91_image NAME: push t91/NAME:v1 to the main registry and sign it
# through the proxy; T91_DG[NAME] is its digest, T91_PDG[NAME] its
# signature's payload blob.
declare -A T91_DG=() T91_PDG=()
t91_image() {
	local name=$1 dg sig
	dg=$(push_image "$REG_MAIN/t91/$name:v1" "t91-$name") || return 1
	expect_exit 0 "t91 set-up: sign t91/$name through the proxy" -- \
		"$SIGNET" sign --key "$T91_KEY.key" "$PM/t91/$name@$dg" || return 1
	sig=$(reg_get_manifest "$REG_MAIN" "t91/$name" "$(sig_tag "$dg")") ||
		return 1
	T91_DG[$name]=$dg
	T91_PDG[$name]=$(jq -r '.layers[0].digest' <<<"$sig")
}

t91_setup() {
	local n
	t91_proxy m "$REG_MAIN" || return 1
	t91_proxy a "$REG_SECURE" --upstream-ca "$REG_SECURE_CA" || return 1
	PM=${T91_PX[m]} EM=${T91_EVIL[m]}
	PA=${T91_PX[a]}
	# an unencrypted key: no key derivation (seconds under ASan) per sign
	T91_KEY=$T91/plain
	"$SIGNET" keys generate --no-password "$T91_KEY" >/dev/null ||
		return 1
	for n in man sig blob hdr slow patient redir; do
		t91_image "$n" || return 1
	done
	reg_get_blob "$REG_MAIN" t91/redir "${T91_PDG[redir]}" \
		>"$T91/redir-payload.json" || return 1
	expect_exit 0 "t91 control: verify through the proxy" -- \
		"$SIGNET" verify --key "$T91_KEY.pub" "$PM/t91/man:v1"
}

# ---- item 8: every stall bounded --------------------------------------------

# A drip rule: one byte every 50 ms, the answer never ending.
t91_drip() {
	printf '{"method":"GET","path":"%s","drip":20,"drip_step":1,"drip_endless":true%s}' \
		"$1" "${2:-}"
}

# A late refusal: SECONDS of silence, then 503 and Retry-After: 1.
t91_late() {
	printf '{"path":"%s","delay":%s,"forward":false,"status":503,"headers":{"Retry-After":"1"},"body":"busy"%s}' \
		"$1" "$2" "${3:-}"
}

t91_stalls() {
	local sig_path blob_path hdr_path ctl_path
	sig_path="^/v2/t91/sig/manifests/$(sig_tag "${T91_DG[sig]}")\$"
	blob_path="^/v2/t91/blob/blobs/${T91_PDG[blob]}\$"
	hdr_path="^/v2/t91/hdr/manifests/$(sig_tag "${T91_DG[hdr]}")\$"
	ctl_path="^/v2/t91/redir/manifests/$(sig_tag "${T91_DG[redir]}")\$"
	t91_rules m "[$(t91_drip '^/v2/t91/man/manifests/v1$'),
		$(t91_drip "$sig_path"),
		$(t91_drip "$blob_path"),
		$(t91_drip "$hdr_path" ',"drip_headers":true'),
		{\"path\": \"$ctl_path\", \"delay\": 5, \"drip\": 2048,
		\"drip_step\": 256, \"append\": \"$(printf '%8000s' '')\"},
		$(t91_late '^/v2/t91/slow/' 15),
		$(t91_late '^/v2/t91/patient/' 10 ',"times":3'),
		{\"path\": \"^/v2/t91/patient/\", \"delay\": 10}]"
	# the registry that wants credentials asks for a token, which trickles
	t91_rules a "[{\"upstream_status\": 401, \"headers\": {\"WWW-Authenticate\":
		\"Bearer realm=\\\"http://$PA/token\\\",service=\\\"t91\\\"\"}},
		$(t91_drip '^/token' ',"forward":false,"status":200')]"

	# The old client took 120 s a try and tried 5 times (600 s); each
	# limit below is far short of that and long enough for a loaded
	# machine: these end by the minimum rate or the deadline.
	t91_bg man 100 -- "$SIGNET" verify --key "$T91_KEY.pub" "$PM/t91/man:v1"
	t91_bg sig 100 -- "$SIGNET" verify --key "$T91_KEY.pub" "$PM/t91/sig:v1"
	t91_bg blob 100 -- "$SIGNET" verify --key "$T91_KEY.pub" "$PM/t91/blob:v1"
	t91_bg hdr 100 -- "$SIGNET" verify --key "$T91_KEY.pub" "$PM/t91/hdr:v1"
	# control: silent 5 s, then 8 KB (JSON and blanks) at 2 KiB/s: slow,
	# not too slow
	t91_bg ctl 100 -- "$SIGNET" verify --key "$T91_KEY.pub" \
		"$PM/t91/redir:v1"
	t91_bg tok 100 -- "$SIGNET" verify --key "$T91_KEY.pub" \
		"$PA/t91/tok:v1"
	# 15 s of silence, then "503, try again in 1 s", forever: nothing
	# trickles, each answer begins in time, but the 6 tries (16 s each)
	# take longer than the 60 s one image gets by default
	t91_bg slow 100 -- "$SIGNET" verify --key "$T91_KEY.pub" \
		"$PM/t91/slow:v1"
	# unless --deadline says otherwise: 3 such refusals, then answers
	# after 10 s each (6 requests and 3 waits: 63 s at least), and the
	# image verifies
	t91_bg patient 200 -- "$SIGNET" verify --deadline 150 \
		--key "$T91_KEY.pub" "$PM/t91/patient:v1"
	t91_wait
	t91_rules_ok

	t91_result man 2 75000 "image manifest drip-fed, one byte per 50 ms" \
		'timed out.*under the minimum of 1024 bytes/s'
	t91_result sig 2 75000 ".sig manifest drip-fed" \
		'timed out.*under the minimum of 1024 bytes/s'
	check ".sig manifest drip-fed: sent again once, no more" -- test \
		"$(t91_seen m ".path | test(\"$sig_path\")")" = 2
	t91_result blob 2 75000 "payload blob drip-fed" \
		'timed out.*under the minimum of 1024 bytes/s'
	check "payload blob drip-fed: sent again once, no more" -- test \
		"$(t91_seen m ".path | test(\"$blob_path\")")" = 2
	t91_result hdr 2 75000 ".sig manifest headers drip-fed" \
		'timed out.*under the minimum of 1024 bytes/s'
	t91_result tok 2 75000 "token answer drip-fed" \
		'token.*timed out.*under the minimum of 1024 bytes/s'
	t91_result ctl 0 75000 "control: .sig manifest after 5 s, at 2 KiB/s"
	check "control: the slow .sig manifest was asked for once" -- test \
		"$(t91_seen m ".path | test(\"$ctl_path\")")" = 1
	t91_result slow 2 75000 "503 after 15 s, forever: the default deadline" \
		'gave up after [0-9]+ s'
	t91_result patient 0 190000 "slow answers, --deadline 150"
	check "slow answers, --deadline 150: took longer than the default 60 s" -- \
		test "$(awk '{print $2}' "$T91/patient.res")" -gt 60000
}

# ---- item 5: no query string in the debug trace -----------------------------

t91_debug() {
	local cred=AKIAT91$RANDOM$RANDOM sig=t91sig$RANDOM$RANDOM$RANDOM
	local realm=t91realm$RANDOM$RANDOM dg

	t91_rules m "[{\"method\": \"GET\",
		\"path\": \"^/v2/t91/redir/blobs/${T91_PDG[redir]}\$\",
		\"redirect\": \"http://$EM/storage/blob?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=$cred%2F20260101&X-Amz-Signature=$sig\"},
		{\"listener\": \"evil\", \"path\": \"^/storage/blob\",
		\"body_file\": \"$T91/redir-payload.json\"}]"
	expect_exit 0 "SIGNET_DEBUG=1 verify, blob redirected to a pre-signed URL" -- \
		env SIGNET_DEBUG=1 "$SIGNET" verify --key "$T91_KEY.pub" \
		"$PM/t91/redir:v1"
	check "pre-signed URL: the storage host was asked" -- \
		test "$(t91_seen m '.listener == "evil"')" = 1
	expect_stderr_match "GET http://$EM/storage/blob\\?<redacted> -> 200" \
		"debug trace: the redirect shown, its query redacted"
	expect_no_leak "$sig" "debug trace: no X-Amz-Signature"
	expect_no_leak "$cred" "debug trace: no X-Amz-Credential"

	# a token realm with a query of its own
	t91_rules a "[{\"upstream_status\": 401, \"headers\": {\"WWW-Authenticate\":
		\"Bearer realm=\\\"http://$PA/token?account=$realm\\\",service=\\\"t91\\\"\"}},
		{\"path\": \"^/token\", \"forward\": false, \"status\": 200,
		\"body\": \"{\\\"token\\\":\\\"t91-token\\\"}\"}]"
	expect_exit 2 "SIGNET_DEBUG=1 verify, token realm with a query" -- \
		env SIGNET_DEBUG=1 "$SIGNET" verify --key "$T91_KEY.pub" \
		"$PA/t91/tok:v1"
	expect_stderr_match "GET http://$PA/token\\?<redacted> -> 200" \
		"debug trace: the token request shown, its query redacted"
	expect_no_leak "$realm" "debug trace: no token realm query"

	# an upload location carries the registry's signed state
	t91_rules m '[]'
	dg=$(push_image "$REG_MAIN/t91/redir:v2" t91-redir-2) || return 1
	expect_exit 0 "SIGNET_DEBUG=1 sign" -- env SIGNET_DEBUG=1 \
		"$SIGNET" sign --key "$T91_KEY.key" "$PM/t91/redir@$dg"
	expect_stderr_match "PUT http://$PM/v2/t91/redir/blobs/uploads/[^ ?]+\\?<redacted> -> 201" \
		"debug trace: the upload shown, its query redacted"
	expect_stderr_nomatch '_state=|digest=sha256' \
		"debug trace: no upload state, no query"
}

# ---- run ---------------------------------------------------------------------

if t91_setup; then
	t91_debug
	t91_stalls
else
	fail "t91: set-up failed"
fi
for n in "${!T91_PXPID[@]}"; do
	kill "${T91_PXPID[$n]}" 2>/dev/null
	wait "${T91_PXPID[$n]}" 2>/dev/null
done
