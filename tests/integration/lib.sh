# shellcheck shell=bash
# Shared helpers for signet's integration tests: real docker-registry
# instances on 127.0.0.1, an image pusher that speaks the distribution API
# with curl only, and small assertion helpers with pass/fail counters.
#
# Sourced by run.sh (never executed). Everything lives under $WORK, one
# temporary folder per run, removed at exit together with the registries.

# ---- run-wide state ---------------------------------------------------------

WORK=$(mktemp -d "${TMPDIR:-/tmp}/signet-it.XXXXXX") || exit 2
export WORK
PASSED=0
FAILED=0
CAPTURED=$WORK/captured.log	# every captured stdout/stderr, for leak checks
: >"$CAPTURED"
LAST_OUT=$WORK/last.out
LAST_ERR=$WORK/last.err
LAST_RC=0
CMD_TIMEOUT=${CMD_TIMEOUT:-60}
# Commands run by expect_exit see an empty HOME: no user configuration
# (trust settings, ~/.docker) leaks in. The harness's own HOME is kept.
TEST_HOME=$WORK/home
mkdir -p "$TEST_HOME"

declare -A REG_SCHEME=()	# "127.0.0.1:PORT" -> http | https
declare -A REG_CAFILE=()	# "127.0.0.1:PORT" -> CA file (https only)
declare -A REG_USERPASS=()	# "127.0.0.1:PORT" -> user:pass (auth only)
REG_PIDS=()

lib_cleanup() {
	reg_stop_all
	if [ -n "${KEEP_WORK:-}" ]; then
		echo "kept $WORK" >&2
	else
		rm -rf "$WORK"
	fi
}
trap lib_cleanup EXIT
trap 'exit 130' INT TERM

# ---- small utilities --------------------------------------------------------

# A TCP port on 127.0.0.1 that nothing listens on right now.
free_port() {
	python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()'
}

sha256_file() {
	local h
	h=$(sha256sum "$1") || return 1
	echo "sha256:${h%% *}"
}

b64_nowrap() {
	base64 -w0 "$@"
}

log() {
	printf '%s\n' "$*" >&2
}

# ---- registries -------------------------------------------------------------

# Make a test CA and a server certificate for 127.0.0.1 / localhost (EC
# P-256) in folder $1: ca.crt, server.crt, server.key. $2: more
# subjectAltName entries ("DNS:a,DNS:b"), optional.
make_test_ca() {
	local d=$1 san=${2:+,$2}
	mkdir -p "$d"
	openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 \
		-nodes -keyout "$d/ca.key" -out "$d/ca.crt" -days 2 \
		-subj "/CN=signet test CA" \
		-addext "basicConstraints=critical,CA:TRUE" \
		-addext "keyUsage=critical,keyCertSign,cRLSign" \
		>/dev/null 2>&1 || return 1
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 \
		-nodes -keyout "$d/server.key" -out "$d/server.csr" \
		-subj "/CN=localhost" >/dev/null 2>&1 || return 1
	cat >"$d/server.ext" <<-EOF
	basicConstraints=critical,CA:FALSE
	keyUsage=critical,digitalSignature
	extendedKeyUsage=serverAuth
	subjectAltName=IP:127.0.0.1,DNS:localhost$san
	EOF
	openssl x509 -req -in "$d/server.csr" -CA "$d/ca.crt" \
		-CAkey "$d/ca.key" -CAcreateserial -days 2 \
		-extfile "$d/server.ext" -out "$d/server.crt" >/dev/null 2>&1
}

# reg_start NAME [--tls [--san DNS:NAME,...]] [--auth USER:PASS]
# Starts docker-registry on a free 127.0.0.1 port and exports
#   REG_<NAME>       127.0.0.1:PORT
#   REG_<NAME>_ROOT  storage root (…/docker/registry/v2/… below it)
#   REG_<NAME>_CA    CA certificate (--tls only)
#   REG_<NAME>_PID   the registry's process id
reg_start() {
	local name=$1 tls=0 auth='' san='' up var dir conf port pid tries code
	shift
	while [ $# -gt 0 ]; do
		case $1 in
		--tls) tls=1 ;;
		--san) san=$2; shift ;;	# more subjectAltName entries
		--auth) auth=$2; shift ;;
		*) log "reg_start: unknown option '$1'"; return 2 ;;
		esac
		shift
	done
	up=$(printf '%s' "$name" | tr '[:lower:]-' '[:upper:]_')
	var=REG_$up
	dir=$WORK/registry-$name
	mkdir -p "$dir/storage"
	if [ "$tls" = 1 ]; then
		make_test_ca "$dir/tls" "$san" || { log "reg_start: openssl failed"; return 2; }
	fi
	if [ -n "$auth" ]; then
		htpasswd -Bbn "${auth%%:*}" "${auth#*:}" >"$dir/htpasswd" 2>/dev/null ||
			{ log "reg_start: htpasswd failed"; return 2; }
	fi
	for tries in 1 2 3 4 5; do
		port=$(free_port) || return 2
		conf=$dir/config.yml
		{
			echo "version: 0.1"
			echo "log:"
			echo "  level: error"
			echo "  accesslog:"
			echo "    disabled: true"
			echo "storage:"
			echo "  filesystem:"
			echo "    rootdirectory: $dir/storage"
			echo "  delete:"
			echo "    enabled: true"
			echo "http:"
			echo "  addr: 127.0.0.1:$port"
			echo "  secret: signet-integration-tests"
			if [ "$tls" = 1 ]; then
				echo "  tls:"
				echo "    certificate: $dir/tls/server.crt"
				echo "    key: $dir/tls/server.key"
			fi
			if [ -n "$auth" ]; then
				echo "auth:"
				echo "  htpasswd:"
				echo "    realm: signet-test"
				echo "    path: $dir/htpasswd"
			fi
		} >"$conf"
		docker-registry serve "$conf" >>"$dir/registry.log" 2>&1 &
		pid=$!
		# Bounded wait (~10 s) until /v2/ answers anything at all.
		local n
		for ((n = 0; n < 100; n++)); do
			if [ "$tls" = 1 ]; then
				code=$(curl -s -o /dev/null -w '%{http_code}' \
					--cacert "$dir/tls/ca.crt" \
					"https://127.0.0.1:$port/v2/" 2>/dev/null)
			else
				code=$(curl -s -o /dev/null -w '%{http_code}' \
					"http://127.0.0.1:$port/v2/" 2>/dev/null)
			fi
			case $code in 200|401) break ;; esac
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		case $code in 200|401)
			REG_PIDS+=("$pid")
			local hp=127.0.0.1:$port
			if [ "$tls" = 1 ]; then
				REG_SCHEME[$hp]=https
				REG_CAFILE[$hp]=$dir/tls/ca.crt
				export "${var}_CA=$dir/tls/ca.crt"
			else
				REG_SCHEME[$hp]=http
			fi
			[ -n "$auth" ] && REG_USERPASS[$hp]=$auth
			export "$var=$hp" "${var}_ROOT=$dir/storage" "${var}_PID=$pid"
			return 0
			;;
		esac
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		log "reg_start: $name did not come up on port $port (try $tries)"
	done
	log "reg_start: giving up on $name; log:"
	tail -n 20 "$dir/registry.log" >&2
	return 2
}

reg_stop_all() {
	local pid
	for pid in "${REG_PIDS[@]}"; do
		kill "$pid" 2>/dev/null
	done
	for pid in "${REG_PIDS[@]}"; do
		wait "$pid" 2>/dev/null
	done
	REG_PIDS=()
}

# reg_curl HOST:PORT PATH [curl args...]: curl against a test registry with
# the right scheme, CA and credentials. Prints the body; fails on HTTP >= 400.
reg_curl() {
	local hp=$1 path=$2 scheme
	shift 2
	scheme=${REG_SCHEME[$hp]:-http}
	local args=(-sS --fail --max-time 20)
	[ -n "${REG_CAFILE[$hp]:-}" ] && args+=(--cacert "${REG_CAFILE[$hp]}")
	[ -n "${REG_USERPASS[$hp]:-}" ] && args+=(-u "${REG_USERPASS[$hp]}")
	case $path in
	http://*|https://*) curl "${args[@]}" "$@" "$path" ;;
	*) curl "${args[@]}" "$@" "$scheme://$hp$path" ;;
	esac
}

# split_ref REF -> sets SR_HOST, SR_REPO, SR_TAG ("host/repo:tag" only).
split_ref() {
	local ref=$1 rest
	SR_HOST=${ref%%/*}
	rest=${ref#*/}
	case ${rest##*/} in
	*:*) SR_TAG=${rest##*:}; SR_REPO=${rest%:*} ;;
	*) SR_TAG=latest; SR_REPO=$rest ;;
	esac
}

# reg_put_blob HOST REPO FILE: upload FILE as a blob, echo its digest.
reg_put_blob() {
	local hp=$1 repo=$2 file=$3 dg loc='' hdrs line
	dg=$(sha256_file "$file") || return 1
	hdrs=$WORK/.upload.hdrs
	reg_curl "$hp" "/v2/$repo/blobs/uploads/" -X POST -D "$hdrs" \
		-o /dev/null || return 1
	while IFS= read -r line; do
		line=${line%$'\r'}
		case ${line,,} in
		location:*) loc=${line#*:}; loc=${loc# } ;;
		esac
	done <"$hdrs"
	[ -n "$loc" ] || { log "reg_put_blob: no Location"; return 1; }
	case $loc in
	/*) loc=${REG_SCHEME[$hp]:-http}://$hp$loc ;;
	esac
	case $loc in
	*\?*) loc="$loc&digest=$dg" ;;
	*) loc="$loc?digest=$dg" ;;
	esac
	reg_curl "$hp" "$loc" -X PUT -o /dev/null \
		-H 'Content-Type: application/octet-stream' \
		--data-binary "@$file" || return 1
	echo "$dg"
}

# reg_put_manifest HOST REPO REFERENCE FILE [MEDIATYPE]: PUT a manifest,
# echo the digest of its bytes.
reg_put_manifest() {
	local hp=$1 repo=$2 reference=$3 file=$4
	local mt=${5:-application/vnd.oci.image.manifest.v1+json}
	reg_curl "$hp" "/v2/$repo/manifests/$reference" -X PUT -o /dev/null \
		-H "Content-Type: $mt" --data-binary "@$file" || return 1
	sha256_file "$file"
}

# reg_get_manifest HOST REPO REFERENCE: print the manifest bytes.
reg_get_manifest() {
	reg_curl "$1" "/v2/$2/manifests/$3" \
		-H 'Accept: application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.v2+json, application/vnd.docker.distribution.manifest.list.v2+json'
}

# reg_get_blob HOST REPO DIGEST: print the blob bytes.
reg_get_blob() {
	reg_curl "$1" "/v2/$2/blobs/$3" -L
}

# reg_blob_path ROOT DIGEST: where the filesystem driver keeps a blob.
reg_blob_path() {
	local hex=${2#sha256:}
	echo "$1/docker/registry/v2/blobs/sha256/${hex:0:2}/$hex/data"
}

# push_image REF [SEED]: push a tiny one-layer OCI image with curl only and
# echo its manifest digest. Different seeds give different digests.
push_image() {
	local ref=$1 seed=${2:-$1} d ldg diffid cdg lsize csize
	split_ref "$ref"
	d=$(mktemp -d "$WORK/img.XXXXXX") || return 1
	mkdir -p "$d/root"
	printf 'signet integration test layer\nseed: %s\n' "$seed" >"$d/root/seed.txt"
	tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner \
		-C "$d/root" -cf "$d/layer.tar" seed.txt || return 1
	gzip -n -c "$d/layer.tar" >"$d/layer.tar.gz" || return 1
	diffid=$(sha256_file "$d/layer.tar") || return 1
	printf '{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":["%s"]}}' \
		"$diffid" >"$d/config.json"
	ldg=$(reg_put_blob "$SR_HOST" "$SR_REPO" "$d/layer.tar.gz") || return 1
	cdg=$(reg_put_blob "$SR_HOST" "$SR_REPO" "$d/config.json") || return 1
	lsize=$(stat -c %s "$d/layer.tar.gz")
	csize=$(stat -c %s "$d/config.json")
	printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"%s","size":%s},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"%s","size":%s}]}' \
		"$cdg" "$csize" "$ldg" "$lsize" >"$d/manifest.json"
	reg_put_manifest "$SR_HOST" "$SR_REPO" "$SR_TAG" "$d/manifest.json"
}

# sig_tag DIGEST -> "sha256-<hex>.sig"
sig_tag() {
	echo "sha256-${1#sha256:}.sig"
}

# ---- assertions -------------------------------------------------------------

pass() {
	PASSED=$((PASSED + 1))
	[ -n "${VERBOSE:-}" ] && log "ok   - $1"
	return 0
}

# fail DESC [DETAIL...]
fail() {
	FAILED=$((FAILED + 1))
	log "FAIL - $1"
	shift
	local l
	for l in "$@"; do
		log "       $l"
	done
	return 1
}

# Describe the last command run by expect_exit, for failure messages.
last_detail() {
	log "       command: ${LAST_CMD}"
	log "       exit code: ${LAST_RC}"
	if [ -s "$LAST_OUT" ]; then
		log "       stdout (tail):"
		tail -n 5 "$LAST_OUT" | sed 's/^/         | /' >&2
	fi
	if [ -s "$LAST_ERR" ]; then
		log "       stderr (tail):"
		tail -n 5 "$LAST_ERR" | sed 's/^/         | /' >&2
	fi
}

# run_cmd CMD ARGS...: run with stdin from /dev/null, no controlling
# terminal, HOME=$TEST_HOME and a time limit; stdout/stderr into
# $LAST_OUT/$LAST_ERR.
run_cmd() {
	LAST_CMD=$(printf '%q ' "$@")
	LAST_CMD=${LAST_CMD% }
	local t0=${EPOCHREALTIME/[.,]/}
	if [ "$(type -t "$1")" = file ]; then
		timeout -k 5 "$CMD_TIMEOUT" setsid -w env HOME="$TEST_HOME" "$@" \
			</dev/null >"$LAST_OUT" 2>"$LAST_ERR"
	else
		"$@" </dev/null >"$LAST_OUT" 2>"$LAST_ERR"
	fi
	LAST_RC=$?
	local ms=$(( (${EPOCHREALTIME/[.,]/} - t0) / 1000 ))
	[ -n "${SLOW_MS:-}" ] && [ "$ms" -ge "$SLOW_MS" ] &&
		log "slow ($ms ms): $LAST_CMD"
	# Output only: the command line may hold secrets on purpose (env).
	cat "$LAST_OUT" "$LAST_ERR" >>"$CAPTURED"
	# A trace for debugging (KEEP_WORK=1), never grepped for leaks.
	{
		echo "### $LAST_CMD -> exit $LAST_RC ($ms ms)"
		sed 's/^/1| /' "$LAST_OUT"
		sed 's/^/2| /' "$LAST_ERR"
	} >>"$WORK/trace.log"
	return 0
}

# expect_exit CODE DESC -- CMD ARGS...
expect_exit() {
	local want=$1 desc=$2
	shift 2
	[ "${1:-}" = -- ] && shift
	run_cmd "$@"
	if [ "$LAST_RC" = "$want" ]; then
		pass "$desc"
	else
		fail "$desc (expected exit $want, got $LAST_RC)"
		last_detail
		return 1
	fi
}

# expect_stdout_eq EXPECTED DESC: stdout of the last command, trailing
# newlines aside, equals EXPECTED.
expect_stdout_eq() {
	local got
	got=$(cat "$LAST_OUT")
	if [ "$got" = "$1" ]; then
		pass "$2"
	else
		fail "$2 (stdout differs)" "expected: $1"
		last_detail
		return 1
	fi
}

# expect_stdout_match REGEX DESC (grep -E, any line)
expect_stdout_match() {
	if grep -Eq -- "$1" "$LAST_OUT"; then
		pass "$2"
	else
		fail "$2 (stdout does not match /$1/)"
		last_detail
		return 1
	fi
}

# expect_stderr_match REGEX DESC (grep -Ei, any line)
expect_stderr_match() {
	if grep -Eqi -- "$1" "$LAST_ERR"; then
		pass "$2"
	else
		fail "$2 (stderr does not match /$1/)"
		last_detail
		return 1
	fi
}

# expect_stderr_nomatch REGEX DESC
expect_stderr_nomatch() {
	if grep -Eqi -- "$1" "$LAST_ERR"; then
		fail "$2 (stderr matches /$1/)"
		last_detail
		return 1
	else
		pass "$2"
	fi
}

# expect_error_message DESC [REGEX]: the usual exit-2 contract: stderr has a
# line "signet: ..." (matching REGEX too when given), and nothing else but
# an optional usage synopsis ("usage: ..." and its indented lines).
expect_error_message() {
	local desc=$1 re=${2:-}
	if ! grep -Eq '^signet: ' "$LAST_ERR"; then
		fail "$desc (no 'signet: ...' line on stderr)"
		last_detail
		return 1
	fi
	if grep -Evq '^(signet: |usage: |[[:space:]]+signet )' "$LAST_ERR"; then
		fail "$desc (stderr has lines other than 'signet: ...' and usage)"
		last_detail
		return 1
	fi
	if [ -n "$re" ] && ! grep -E '^signet: ' "$LAST_ERR" | grep -Eqi -- "$re"; then
		fail "$desc ('signet:' line does not match /$re/)"
		last_detail
		return 1
	fi
	pass "$desc"
}

# check DESC -- CMD ARGS...: passes when CMD exits 0 (helper commands,
# not signet: output is not captured for leak checks).
check() {
	local desc=$1
	shift
	[ "${1:-}" = -- ] && shift
	if "$@"; then
		pass "$desc"
	else
		fail "$desc" "check failed: $(printf '%q ' "$@")"
		return 1
	fi
}

# not CMD ARGS...: succeeds when CMD fails (for check).
not() {
	! "$@"
}

# http_code URL [curl args...]: the HTTP status of a GET, 000 when none.
http_code() {
	local url=$1
	shift
	curl -s -o /dev/null -w '%{http_code}' --max-time 10 "$@" "$url"
}

# expect_no_leak SECRET DESC: SECRET appears in no captured output.
expect_no_leak() {
	if [ -n "$1" ] && grep -Fq -- "$1" "$CAPTURED"; then
		fail "$2" "secret found in captured output:"
		grep -F -- "$1" "$CAPTURED" | head -n 3 | sed 's/^/         | /' >&2
		return 1
	fi
	pass "$2"
}

summary() {
	echo "$PASSED passed, $FAILED failed"
	[ "$FAILED" = 0 ]
}

# ---- keys -------------------------------------------------------------------

export SIGNET_PASSWORD=test-pass-$$-$RANDOM-k3y
unset COSIGN_PASSWORD

# keys_setup: the shared key pairs A and B (ecdsa-p256, encrypted with
# $SIGNET_PASSWORD) as $KEY_A.key/.pub and $KEY_B.key/.pub.
keys_setup() {
	mkdir -p "$WORK/keys"
	KEY_A=$WORK/keys/a
	KEY_B=$WORK/keys/b
	export KEY_A KEY_B
	local k
	for k in "$KEY_A" "$KEY_B"; do
		# SIGNET_TEST_PLAIN_KEYS: unencrypted test keys, for runs
		# under valgrind where the key derivation alone takes minutes
		run_cmd "$SIGNET" keys generate \
			${SIGNET_TEST_PLAIN_KEYS:+--no-password} "$k"
		if [ "$LAST_RC" != 0 ] || [ ! -s "$k.key" ] || [ ! -s "$k.pub" ]; then
			fail "keys_setup: signet keys generate $k"
			last_detail
			return 1
		fi
	done
}

# plain_key KEYFILE OUT: decrypt a signet key with openssl (for forgeries).
plain_key() {
	openssl pkey -in "$1" -passin env:SIGNET_PASSWORD -out "$2" 2>/dev/null
}

# push_layout DIR HOST:PORT REPO: copy an OCI image layout into a registry
# byte for byte: every blob, then every manifest index.json lists (images
# before the manifests that name them as subject, indexes last), each by
# digest and under its org.opencontainers.image.ref.name tag if any.
push_layout() {
	local dir=$1 hp=$2 repo=$3 f pass mt dg tag has_subject
	for f in "$dir"/blobs/sha256/*; do
		reg_put_blob "$hp" "$repo" "$f" >/dev/null || return 1
	done
	for pass in image referrer index; do
		while IFS=$'\t' read -r mt dg tag; do
			f=$dir/blobs/sha256/${dg#sha256:}
			has_subject=$(jq -r 'has("subject")' "$f")
			case $pass:$mt:$has_subject in
			image:*manifest*:false | referrer:*manifest*:true | \
			index:*index*:*) ;;
			*) continue ;;
			esac
			reg_put_manifest "$hp" "$repo" "$dg" "$f" "$mt" \
				>/dev/null || return 1
			if [ -n "$tag" ]; then
				reg_put_manifest "$hp" "$repo" "$tag" "$f" "$mt" \
					>/dev/null || return 1
			fi
		done < <(jq -r '.manifests[] | [.mediaType, .digest,
			(.annotations["org.opencontainers.image.ref.name"]
			 // "")] | @tsv' "$dir/index.json")
	done
}

# ---- keyless (a private Sigstore instance) ------------------------------------

# The test tool tests/tools/sigstore_instance.c (`make sigstore-instance`;
# `make integration` passes its path): our own Fulcio-like CA, CT and
# Rekor log keys and TSA, and keyless signatures made with them.
SIGSTORE_INSTANCE=${SIGSTORE_INSTANCE:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/build/plain/tests/tools/sigstore_instance}

# keyless_sign_image REF DIGEST DIR IDENTITY ISSUER [FORGE...]: sign the
# image REF ("host/repo[:tag]") at DIGEST keyless with the instance in DIR
# (sigstore_instance init DIR), as cosign does: the simple-signing payload
# as a blob, and the only layer of the sha256-<hex>.sig manifest carrying
# the signature, certificate, chain and Rekor bundle annotations. Each
# FORGE is a --forge kind of the tool; $KEYLESS_TIME, when set, is the
# signing time (Unix seconds); $KEYLESS_CLAIM_REF and $KEYLESS_CLAIM_DIGEST,
# when set, are what the payload claims instead of REF's repository and
# DIGEST (forgeries). Echoes the .sig manifest's digest.
keyless_sign_image() {
	local ref=$1 dg=$2 dir=$3 id=$4 iss=$5 d pdg cdg f
	local -a forge=()
	shift 5
	for f in "$@"; do forge+=(--forge "$f"); done
	[ -n "${KEYLESS_TIME:-}" ] && forge+=(--time "$KEYLESS_TIME")
	split_ref "$ref"
	d=$(mktemp -d "$WORK/keyless.XXXXXX") || return 1
	printf '{"critical":{"identity":{"docker-reference":"%s"},"image":{"docker-manifest-digest":"%s"},"type":"cosign container image signature"},"optional":null}' \
		"${KEYLESS_CLAIM_REF:-$SR_HOST/$SR_REPO}" \
		"${KEYLESS_CLAIM_DIGEST:-$dg}" >"$d/payload.json"
	"$SIGSTORE_INSTANCE" cosign "$dir" --payload "$d/payload.json" \
		--identity "$id" --issuer "$iss" "${forge[@]}" \
		>"$d/annotations.json" || return 1
	pdg=$(reg_put_blob "$SR_HOST" "$SR_REPO" "$d/payload.json") || return 1
	printf '{"architecture":"","created":"0001-01-01T00:00:00Z","history":[{"created":"0001-01-01T00:00:00Z"}],"os":"","rootfs":{"type":"layers","diff_ids":["%s"]},"config":{}}' \
		"$pdg" >"$d/config.json"
	cdg=$(reg_put_blob "$SR_HOST" "$SR_REPO" "$d/config.json") || return 1
	jq -cn --arg cdg "$cdg" --argjson csz "$(stat -c %s "$d/config.json")" \
		--arg pdg "$pdg" --argjson psz "$(stat -c %s "$d/payload.json")" \
		--slurpfile ann "$d/annotations.json" '{
		schemaVersion: 2,
		mediaType: "application/vnd.oci.image.manifest.v1+json",
		config: {mediaType: "application/vnd.oci.image.config.v1+json",
			digest: $cdg, size: $csz},
		layers: [{mediaType: "application/vnd.dev.cosign.simplesigning.v1+json",
			digest: $pdg, size: $psz, annotations: $ann[0]}]
	}' >"$d/manifest.json" || return 1
	reg_put_manifest "$SR_HOST" "$SR_REPO" "$(sig_tag "$dg")" \
		"$d/manifest.json"
}
