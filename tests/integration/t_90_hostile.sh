# shellcheck shell=bash
# The hostile registry suite (issue 7): tests/hostile/proxy.py, a
# fault-injecting proxy, sits in front of real docker-registry instances
# and lies, stalls, redirects, floods and garbles on cue; the real signet
# binary talks to it. Every case must end in a clear error and the exact
# exit status signet(1) gives it, 1 or 2: never a crash, a hang past the
# timeout, a success, a pinned reference on stdout, credentials sent to
# another host, or an escape sequence printed. A few positive controls
# show the proxy is transparent when it does not lie, and that retries do
# work. Sourced by run.sh.
#
# Signatures the proxy serves are made here with openssl and jq (as in
# t_30 and t_60) and never pushed: the registry behind the proxy holds only
# honest images and signet's own signatures.

T90=$WORK/t90
mkdir -p "$T90"
T90_PROXY=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/hostile/proxy.py
# the interpreter itself, not a version manager's shim that takes seconds
T90_PY=$(python3 -c 'import sys; print(sys.executable)')
T90_SAVED_CMD_TIMEOUT=$CMD_TIMEOUT
CMD_TIMEOUT=40			# nothing here may take longer
T90_CASES=0			# hostile cases run (controls not counted)
declare -A T90_PX=() T90_EVIL=() T90_PXPID=()
T90_MT_MAN=application/vnd.oci.image.manifest.v1+json
T90_MT_IDX=application/vnd.oci.image.index.v1+json
T90_MT_SS=application/vnd.dev.cosign.simplesigning.v1+json
T90_MT_BUNDLE=application/vnd.dev.sigstore.bundle.v0.3+json
T90_MT_NOTARY=application/vnd.cncf.notary.signature
T90_EMPTY_CFG=sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a

# ---- the proxies ------------------------------------------------------------

# t90_proxy_start NAME UPSTREAM [proxy options...]: start a proxy (main and
# evil listener) in the background; t90_proxy_wait NAME waits for it.
t90_proxy_start() {
	local name=$1 up=$2 d=$T90/proxy-$1
	shift 2
	mkdir -p "$d"
	echo '{"rules":[]}' >"$d/rules.json"
	"$T90_PY" "$T90_PROXY" --upstream "$up" --port-file "$d/port" \
		--evil-port-file "$d/evil" --rules "$d/rules.json" \
		--log "$d/log" --lifetime 900 "$@" </dev/null >>"$d/proxy.out" 2>&1 &
	T90_PXPID[$name]=$!
	REG_PIDS+=("$!")	# stopped with the registries if we stop early
}

t90_proxy_wait() {
	local d=$T90/proxy-$1 n
	for ((n = 0; n < 150; n++)); do
		[ -s "$d/port" ] && [ -s "$d/evil" ] && break
		kill -0 "${T90_PXPID[$1]}" 2>/dev/null || break
		sleep 0.1
	done
	if ! [ -s "$d/port" ] || ! [ -s "$d/evil" ]; then
		log "t90: proxy $1 did not start:"
		tail -n 5 "$d/proxy.out" >&2
		return 1
	fi
	T90_PX[$1]=127.0.0.1:$(cat "$d/port")
	T90_EVIL[$1]=127.0.0.1:$(cat "$d/evil")
}

t90_proxy_stop_all() {
	local n
	for n in "${!T90_PXPID[@]}"; do
		kill "${T90_PXPID[$n]}" 2>/dev/null
		wait "${T90_PXPID[$n]}" 2>/dev/null
	done
}

# t90_rules NAME JSON_ARRAY: the rules of proxy NAME from now on (read by
# the proxy at every request); its request log starts afresh. Rules the
# proxy cannot read are logged as such, and t90_rules_ok fails the case.
t90_rules() {
	local f=$T90/proxy-$1/rules.json
	printf '{"rules":%s}\n' "$2" >"$f.tmp" && mv "$f.tmp" "$f"
	: >"$T90/proxy-$1/log"
}

t90_rules_ok() {
	if grep -q '"rules_error"' "$T90"/proxy-*/log; then
		fail "$1: the proxy could not read its rules" \
			"$(grep -h '"rules_error"' "$T90"/proxy-*/log | head -n 1)"
		return 1
	fi
}

# t90_seen NAME JQ_CONDITION: how many logged requests of proxy NAME match.
t90_seen() {
	jq -s "[.[] | select($2)] | length" "$T90/proxy-$1/log"
}

# t90_evil_clean NAME DESC: the evil listener received no Authorization.
t90_evil_clean() {
	local n
	n=$(t90_seen "$1" '.listener == "evil" and .auth != null')
	check "$2: the other host received no credentials" -- test "$n" = 0
}

# ---- running signet -----------------------------------------------------------

t90_run() {
	local t0=${EPOCHREALTIME/[.,]/}
	run_cmd "$@"
	T90_MS=$(( (${EPOCHREALTIME/[.,]/} - t0) / 1000 ))
	t90_rules_ok "$LAST_CMD"
}

# What the last command printed, control characters made visible.
t90_detail() {
	log "       command: $LAST_CMD"
	log "       exit code: $LAST_RC ($T90_MS ms)"
	log "       stdout (head):"
	head -n 5 "$LAST_OUT" | cut -c1-300 | cat -v | sed 's/^/         | /' >&2
	log "       stderr (head):"
	head -n 5 "$LAST_ERR" | cut -c1-300 | cat -v | sed 's/^/         | /' >&2
}

# t90_no_escape DESC [strict]: no ESC byte on stdout or stderr; strict:
# no C1 control (U+0080-U+009F, e.g. U+009B CSI) or bidi override either.
t90_no_escape() {
	if LC_ALL=C grep -q $'\x1b' "$LAST_OUT" "$LAST_ERR"; then
		fail "$1: an ESC byte was printed"
		t90_detail
		return 1
	fi
	if [ -n "${2:-}" ] && LC_ALL=C grep -Eq \
		$'\xc2[\x80-\x9f]|\xe2\x80[\xaa-\xae]|\xe2\x81[\xa6-\xa9]' \
		"$LAST_OUT" "$LAST_ERR"; then
		fail "$1: a C1 control or bidi override was printed raw"
		t90_detail
		return 1
	fi
	pass "$1: no escape sequence printed"
}

# t90_expect WANT DESC REGEX -- CMD ARGS...: a hostile case. CMD exits
# exactly WANT (1 or 2), stderr is exactly one line, 'signet: ...',
# matching REGEX (grep -Ei; so no sanitizer report either), stdout is
# empty (no pinned reference), and no escape byte is printed.
# t90_expect_warned WANT DESC REGEX -- CMD...: like t90_expect for a
# finding that does not stop verification: exit WANT, a 'signet:
# warning: ...' line matching REGEX and the verdict's one 'signet: ...'
# line on stderr, nothing on stdout, no raw escapes.
t90_expect_warned() {
	local want=$1 desc=$2 re=$3
	shift 3
	[ "${1:-}" = -- ] && shift
	T90_CASES=$((T90_CASES + 1))
	t90_run "$@"
	if [ "$LAST_RC" = "$want" ]; then
		pass "$desc: exit $LAST_RC"
	else
		fail "$desc (expected exit $want, got $LAST_RC)"
		t90_detail
		return 1
	fi
	if [ "$(grep -c '^signet: warning: ' "$LAST_ERR")" != 1 ] ||
		[ "$(grep -vc '^signet: ' "$LAST_ERR")" != 0 ] ||
		! grep -E '^signet: warning: ' "$LAST_ERR" | grep -Eqi -- "$re"
	then
		fail "$desc: no one warning matching /$re/ among 'signet:' lines"
		t90_detail
	else
		pass "$desc: warns why"
	fi
	if [ -s "$LAST_OUT" ]; then
		fail "$desc: something printed on stdout"
		t90_detail
	else
		pass "$desc: nothing on stdout"
	fi
	t90_no_escape "$desc"
}

t90_expect() {
	local want=$1 desc=$2 re=$3
	shift 3
	[ "${1:-}" = -- ] && shift
	T90_CASES=$((T90_CASES + 1))
	t90_run "$@"
	if [ "$LAST_RC" = "$want" ]; then
		pass "$desc: exit $LAST_RC"
	else
		fail "$desc (expected exit $want, got $LAST_RC)"
		t90_detail
		return 1
	fi
	if [ "$(wc -l <"$LAST_ERR")" != 1 ] ||
		! grep -q '^signet: ' "$LAST_ERR"; then
		fail "$desc: stderr is not one 'signet: ...' line"
		t90_detail
	elif [ -n "$re" ] && ! grep -Eqi -- "$re" "$LAST_ERR"; then
		fail "$desc: the message does not match /$re/"
		t90_detail
	else
		pass "$desc: says why"
	fi
	if [ -s "$LAST_OUT" ]; then
		fail "$desc: something printed on stdout"
		t90_detail
	else
		pass "$desc: nothing on stdout"
	fi
	t90_no_escape "$desc"
}

# t90_ok DESC -- CMD ARGS...: a positive control exits 0.
t90_ok() {
	local desc=$1
	shift
	[ "${1:-}" = -- ] && shift
	t90_run "$@"
	if [ "$LAST_RC" = 0 ]; then
		pass "$desc: exit 0"
	else
		fail "$desc (expected exit 0, got $LAST_RC)"
		t90_detail
		return 1
	fi
}

# t90_within MS DESC: the last command took at most MS milliseconds.
t90_within() {
	if [ "$T90_MS" -le "$1" ]; then
		pass "$2: done in $T90_MS ms (at most $1)"
	else
		fail "$2: took $T90_MS ms (at most $1 expected)"
		return 1
	fi
}

# ---- crafting (openssl, jq; nothing of signet's) -----------------------------

# t90_payload FILE REF DIGEST [OPTIONAL_JSON]: a simple-signing payload.
t90_payload() {
	printf '{"critical":{"identity":{"docker-reference":"%s"},"image":{"docker-manifest-digest":"%s"},"type":"cosign container image signature"},"optional":%s}' \
		"$2" "$3" "${4:-null}" >"$1"
}

# t90_cosign_rules PAYLOAD_FILE: rules under which PAYLOAD, signed with
# key A by openssl, is the only layer of $DG's .sig manifest; the proxy
# serves the payload blob itself.
t90_cosign_rules() {
	local pl=$1 sig pdg
	sig=$(openssl dgst -sha256 -sign "$T90/a.pem" "$pl" | b64_nowrap)
	pdg=$(sha256_file "$pl")
	# digests, sizes, base64 and our paths need no JSON escaping
	printf '[{"method":"GET","path":"/manifests/%s$","json_merge":{"layers":[{"mediaType":"%s","digest":"%s","size":%s,"annotations":{"dev.cosignproject.cosign/signature":"%s"}}]}},{"method":"GET","path":"/blobs/%s$","forward":false,"body_file":"%s"}]' \
		"$(sig_tag "$DG")" "$T90_MT_SS" "$pdg" "$(stat -c %s "$pl")" \
		"$sig" "$pdg" "$pl"
}

# t90_serve_referrer REPO SUBJECT MANIFEST ARTIFACT_TYPE BLOB: rules under
# which the proxy alone answers for SUBJECT's referrers tag index (listing
# MANIFEST), for MANIFEST and for BLOB (its layer).
t90_serve_referrer() {
	local repo=$1 subj=$2 man=$3 at=$4 blob=$5 mdg
	mdg=$(sha256_file "$man")
	printf '{"schemaVersion":2,"mediaType":"%s","manifests":[{"mediaType":"%s","digest":"%s","size":%s,"artifactType":"%s"}]}' \
		"$T90_MT_IDX" "$T90_MT_MAN" "$mdg" "$(stat -c %s "$man")" "$at" \
		>"$man.index"
	printf '[{"method":"GET","path":"^/v2/%s/manifests/sha256-%s$","forward":false,"status":200,"body_file":"%s","headers":{"Content-Type":"%s"}},{"method":"GET","path":"^/v2/%s/manifests/%s$","forward":false,"status":200,"body_file":"%s","headers":{"Content-Type":"%s"}},{"method":"GET","path":"^/v2/%s/blobs/%s$","forward":false,"status":200,"body_file":"%s"}]' \
		"$repo" "${subj#sha256:}" "$man.index" "$T90_MT_IDX" \
		"$repo" "$mdg" "$man" "$T90_MT_MAN" \
		"$repo" "$(sha256_file "$blob")" "$blob"
}

t90_b64url() {
	base64 -w0 | tr '+/' '-_' | tr -d '='
}

# t90_der CERT: base64 DER, as in x5c.
t90_der() {
	openssl x509 -in "$1" -outform DER | b64_nowrap
}

# t90_x5c CERT...: a JSON array of the certificates' base64 DER.
t90_x5c() {
	local c sep=
	printf '['
	for c in "$@"; do
		printf '%s"%s"' "$sep" "$(t90_der "$c")"
		sep=,
	done
	printf ']'
}

# t90_protected [JQ_FILTER]: a valid Notary protected header (PS256),
# changed by JQ_FILTER.
t90_protected() {
	local h
	h=$(printf '{"alg":"PS256","crit":["io.cncf.notary.signingScheme"],"cty":"application/vnd.cncf.notary.payload.v1+json","io.cncf.notary.signingScheme":"notary.x509","io.cncf.notary.signingTime":"%s"}' \
		"$(date -u +%Y-%m-%dT%H:%M:%SZ)")
	if [ -n "${1:-}" ]; then
		printf '%s' "$h" | jq -c "$1"
	else
		printf '%s' "$h"
	fi
}

# t90_envelope KEY PROTECTED X5C_JSON OUT: a JWS envelope over $DN's
# targetArtifact, RSASSA-PSS with SHA-256 by KEY, whatever the header says.
t90_envelope() {
	local key=$1 prot=$2 x5c=$3 out=$4 p q
	p=$(printf '%s' "$prot" | t90_b64url)
	q=$(printf '{"targetArtifact":{"digest":"%s","mediaType":"%s","size":%s}}' \
		"$DN" "$T90_MT_MAN" "$DN_SIZE" | t90_b64url)
	printf '%s.%s' "$p" "$q" >"$out.input"
	openssl dgst -sha256 -sigopt rsa_padding_mode:pss \
		-sigopt rsa_pss_saltlen:32 -sigopt rsa_mgf1_md:sha256 \
		-sign "$key" -out "$out.sig" "$out.input" || return 1
	printf '{"payload":"%s","protected":"%s","header":{"x5c":%s,"io.cncf.notary.signingAgent":"t90"},"signature":"%s"}' \
		"$q" "$p" "$x5c" "$(t90_b64url <"$out.sig")" >"$out"
}

# t90_notary_manifest ENVELOPE OUT [LAYER_MEDIATYPE]: the signature
# manifest (legacy form, as notation writes it) of ENVELOPE for $DN.
t90_notary_manifest() {
	printf '{"schemaVersion":2,"mediaType":"%s","config":{"mediaType":"%s","digest":"%s","size":2},"layers":[{"mediaType":"%s","digest":"%s","size":%s}],"subject":{"mediaType":"%s","digest":"%s","size":%s},"annotations":{"org.opencontainers.image.created":"2026-01-01T00:00:00Z"}}' \
		"$T90_MT_MAN" "$T90_MT_NOTARY" "$T90_EMPTY_CFG" \
		"${3:-application/jose+json}" "$(sha256_file "$1")" \
		"$(stat -c %s "$1")" "$T90_MT_MAN" "$DN" "$DN_SIZE" >"$2"
}

# t90_make_pki DIR: an RSA-2048 CA, and leaves it issued for code signing:
# leaf (valid), expired (2020), sha1 (signed with SHA-1).
t90_make_pki() {
	local d=$1
	mkdir -p "$d"
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$d/ca.pem" \
		-out "$d/ca.crt" -days 2 -subj "/CN=t90 CA" \
		-addext "basicConstraints=critical,CA:TRUE" \
		-addext "keyUsage=critical,keyCertSign" >/dev/null 2>&1 || return 1
	printf '%s\n' "basicConstraints=critical,CA:FALSE" \
		"keyUsage=critical,digitalSignature" \
		"extendedKeyUsage=codeSigning" >"$d/leaf.ext"
	openssl req -new -newkey rsa:2048 -nodes -keyout "$d/leaf.pem" \
		-out "$d/leaf.csr" -subj "/CN=t90 leaf" >/dev/null 2>&1 || return 1
	openssl x509 -req -in "$d/leaf.csr" -CA "$d/ca.crt" -CAkey "$d/ca.pem" \
		-CAcreateserial -days 2 -extfile "$d/leaf.ext" \
		-out "$d/leaf.crt" >/dev/null 2>&1 || return 1
	openssl x509 -req -in "$d/leaf.csr" -CA "$d/ca.crt" -CAkey "$d/ca.pem" \
		-CAcreateserial -days 2 -extfile "$d/leaf.ext" -sha1 \
		-out "$d/sha1.crt" >/dev/null 2>&1 || return 1
	# OpenSSL 3.0's x509 cannot back-date: a minimal CA does
	: >"$d/index.txt"
	echo 1000 >"$d/serial"
	printf '%s\n' "[ca]" "default_ca = t90" "[t90]" "database = $d/index.txt" \
		"new_certs_dir = $d" "serial = $d/serial" "default_md = sha256" \
		"policy = any" "unique_subject = no" "[any]" \
		"commonName = supplied" >"$d/ca.cnf"
	openssl ca -batch -config "$d/ca.cnf" -cert "$d/ca.crt" \
		-keyfile "$d/ca.pem" -in "$d/leaf.csr" -out "$d/expired.crt" \
		-startdate 20200101000000Z -enddate 20210101000000Z \
		-extfile "$d/leaf.ext" -notext >/dev/null 2>&1
}

# ---- set-up -----------------------------------------------------------------

t90_setup() {
	local d
	# the registry that wants credentials is run.sh's "secure" one
	# (htpasswd, over TLS): its proxy speaks HTTPS to it and plain
	# HTTP to signet
	make_test_ca "$T90/tls" || return 1
	t90_proxy_start m "$REG_MAIN"
	t90_proxy_start a "$REG_SECURE" --upstream-ca "$REG_SECURE_CA"
	t90_proxy_start t "$REG_MAIN" --tls-cert "$T90/tls/server.crt" \
		--tls-key "$T90/tls/server.key"
	t90_make_pki "$T90/pki" || { log "t90: openssl pki failed"; return 1; }
	T90_X5C=$(t90_x5c "$T90/pki/leaf.crt" "$T90/pki/ca.crt")
	t90_proxy_wait m && t90_proxy_wait a && t90_proxy_wait t || return 1
	PM=${T90_PX[m]} EM=${T90_EVIL[m]}
	PA=${T90_PX[a]} EA=${T90_EVIL[a]}
	PT=${T90_PX[t]}
	# docker login for the authenticating registry, as seen through its
	# proxy: the credentials signet may send there, and nowhere else
	mkdir -p "$T90/dc"
	printf '{"auths":{"%s":{"auth":"%s"}}}\n' "$PA" \
		"$(printf '%s:%s' "$SECURE_USER" "$SECURE_PASS" | b64_nowrap)" \
		>"$T90/dc/config.json"
	T90_AUTHENV=(env "DOCKER_CONFIG=$T90/dc")
	plain_key "$KEY_A.key" "$T90/a.pem" || return 1

	DG=$(push_image "$REG_MAIN/t90/app:v1" t90-app) &&
		DO=$(push_image "$REG_MAIN/t90/app:other" t90-other) &&
		DB=$(push_image "$REG_MAIN/t90/bundle:v1" t90-bundle) &&
		DN=$(push_image "$REG_MAIN/t90/notary:v1" t90-notary) &&
		DT=$(push_image "$REG_MAIN/t90/tls:v1" t90-tls) &&
		DU=$(push_image "$REG_MAIN/t90a/ok:v1" t90-audit) &&
		DA=$(push_image "$REG_SECURE/t90/auth:v1" t90-auth) &&
		DA2=$(push_image "$REG_SECURE/t90/auth:v2" t90-auth-2) ||
		return 1
	DN_SIZE=$(reg_get_manifest "$REG_MAIN" t90/notary "$DN" | wc -c)

	# signed through the proxies (they pass everything on with no
	# rules), so the signatures name the registry as signet sees it
	expect_exit 0 "t90 set-up: sign app through the proxy" -- \
		"$SIGNET" sign --key "$KEY_A.key" "$PM/t90/app@$DG" || return 1
	expect_exit 0 "t90 set-up: sign app:other" -- \
		"$SIGNET" sign --key "$KEY_A.key" "$PM/t90/app@$DO" || return 1
	expect_exit 0 "t90 set-up: sign bundle (sigstore-bundle)" -- \
		"$SIGNET" sign --format sigstore-bundle --key "$KEY_A.key" \
		"$PM/t90/bundle@$DB" || return 1
	expect_exit 0 "t90 set-up: sign t90a/ok" -- \
		"$SIGNET" sign --key "$KEY_A.key" "$PM/t90a/ok@$DU" || return 1
	expect_exit 0 "t90 set-up: sign tls over HTTPS" -- \
		"$SIGNET" sign --ca-file "$T90/tls/ca.crt" --key "$KEY_A.key" \
		"$PT/t90/tls@$DT" || return 1
	expect_exit 0 "t90 set-up: sign auth with docker credentials" -- \
		"${T90_AUTHENV[@]}" "$SIGNET" sign --key "$KEY_A.key" \
		"$PA/t90/auth@$DA" || return 1

	# the bundle signet wrote, to make variants of
	d=$T90/bundle
	mkdir -p "$d"
	reg_get_manifest "$REG_MAIN" t90/bundle "sha256-${DB#sha256:}" \
		>"$d/index.json" &&
		reg_get_manifest "$REG_MAIN" t90/bundle \
		"$(jq -r '.manifests[0].digest' "$d/index.json")" \
		>"$d/manifest.json" &&
		reg_get_blob "$REG_MAIN" t90/bundle \
		"$(jq -r '.layers[0].digest' "$d/manifest.json")" \
		>"$d/bundle.json" || return 1
	# and app's payload, for a redirect target that serves it
	reg_get_manifest "$REG_SECURE" t90/auth "$(sig_tag "$DA")" \
		>"$T90/auth-sig.json" &&
		reg_get_blob "$REG_SECURE" t90/auth \
		"$(jq -r '.layers[0].digest' "$T90/auth-sig.json")" \
		>"$T90/auth-payload.json"
}

# ---- controls: the proxy is transparent, the crafting is sound --------------

t90_controls() {
	t90_rules m '[]'
	t90_ok "control: verify through the proxy" -- \
		"$SIGNET" verify --key "$KEY_A.pub" "$PM/t90/app:v1" &&
		expect_stdout_eq "$PM/t90/app@$DG" "control: prints the pinned reference"
	t90_ok "control: sigstore bundle through the proxy" -- \
		"$SIGNET" verify --key "$KEY_A.pub" "$PM/t90/bundle:v1"
	t90_ok "control: HTTPS proxy" -- "$SIGNET" verify \
		--ca-file "$T90/tls/ca.crt" --key "$KEY_A.pub" "$PT/t90/tls:v1"
	t90_rules a '[]'
	t90_ok "control: authenticated registry with docker credentials" -- \
		"${T90_AUTHENV[@]}" "$SIGNET" verify --key "$KEY_A.pub" \
		"$PA/t90/auth:v1"
	check "control: the registry got basic credentials" -- \
		test "$(t90_seen a '.listener == "main" and .auth == "basic"')" -gt 0

	# a payload crafted with openssl and served by the proxy alone
	t90_payload "$T90/honest.json" "$PM/t90/app" "$DG"
	t90_rules m "$(t90_cosign_rules "$T90/honest.json")"
	t90_ok "control: crafted payload served by the proxy verifies" -- \
		"$SIGNET" verify --key "$KEY_A.pub" "$PM/t90/app:v1"
	check "control: ... and the proxy served it" -- \
		test "$(t90_seen m '.rule == 1')" = 1
	# signet's bundle re-served by the proxy alone
	t90_rules m "$(t90_serve_referrer t90/bundle "$DB" \
		"$T90/bundle/manifest.json" "$T90_MT_BUNDLE" \
		"$T90/bundle/bundle.json")"
	t90_ok "control: bundle served by the proxy verifies" -- \
		"$SIGNET" verify --key "$KEY_A.pub" "$PM/t90/bundle:v1"
	# an openssl-made Notary envelope served by the proxy
	t90_notary_case 0 "control: Notary envelope [leaf, CA] verifies" '' \
		"$(t90_protected)" "$T90_X5C"

	# A wrong Content-Type changes nothing: manifests are known by
	# their bytes and digest.
	T90_CASES=$((T90_CASES + 1))
	t90_rules m '[{"method": "GET", "path": "/manifests/",
		"headers": {"Content-Type": "text/html; charset=evil"}}]'
	t90_ok "wrong Content-Type on every manifest: verdict unchanged" -- \
		"$SIGNET" verify --key "$KEY_A.pub" "$PM/t90/app:v1" &&
		expect_stdout_eq "$PM/t90/app@$DG" "wrong Content-Type: same pinned reference"
	T90_CASES=$((T90_CASES + 1))
	t90_rules m '[{"method": "GET", "path": "/manifests/",
		"remove_headers": ["Content-Type", "Docker-Content-Digest"]}]'
	t90_ok "no Content-Type, no Docker-Content-Digest: verdict unchanged" -- \
		"$SIGNET" verify --key "$KEY_A.pub" "$PM/t90/bundle:v1"
	T90_CASES=$((T90_CASES + 1))
	t90_rules m "[{\"method\": \"GET\", \"path\": \"/manifests/\",
		\"headers\": {\"Docker-Content-Digest\": \"$DO\"}}]"
	t90_ok "Docker-Content-Digest naming another image: verdict unchanged" -- \
		"$SIGNET" verify --key "$KEY_A.pub" "$PM/t90/app:v1" &&
		expect_stdout_eq "$PM/t90/app@$DG" "lying Docker-Content-Digest: the real digest is pinned"
}

# ---- integrity and size caps -----------------------------------------------

t90_integrity() {
	local tag sig pdg
	tag=$(sig_tag "$DG")
	sig=$(reg_get_manifest "$REG_MAIN" t90/app "$tag")
	pdg=$(printf '%s' "$sig" | jq -r '.layers[0].digest')

	t90_rules m '[{"method": "GET", "path": "/manifests/sha256:",
		"json_merge": {"annotations": {"injected": "yes"}}}]'
	t90_expect 2 "manifest by digest: other bytes" \
		'registry sent content with digest' -- \
		"$SIGNET" verify --key "$KEY_A.pub" "$PM/t90/app@$DG"
	t90_rules m '[{"method": "GET", "path": "/manifests/v1$",
		"json_merge": {"annotations": {"injected": "yes"}}}]'
	t90_expect 1 "manifest by tag: other bytes (another digest, unsigned)" \
		'no signatures found' -- \
		"$SIGNET" verify --key "$KEY_A.pub" "$PM/t90/app:v1"
	t90_rules m "[{\"method\": \"GET\", \"path\": \"/blobs/$pdg\$\",
		\"replace\": [[\"${DG#sha256:}\", \"${DO#sha256:}\"]]}]"
	t90_expect 1 ".sig payload blob: bytes do not match its digest" \
		'digest' -- "$SIGNET" verify --key "$KEY_A.pub" "$PM/t90/app:v1"
	t90_rules m "[{\"method\": \"GET\", \"path\": \"/manifests/$tag\$\",
		\"json\": \"doc['layers'][0]['digest'] = doc['config']['digest']; doc['layers'][0]['size'] = doc['config']['size']\"}]"
	t90_expect 1 ".sig layer pointing at another blob (its config)" \
		'does not verify' -- \
		"$SIGNET" verify --key "$KEY_A.pub" "$PM/t90/app:v1"
	t90_rules m "[{\"method\": \"GET\", \"path\": \"/manifests/$tag\$\",
		\"json\": \"doc['layers'][0]['size'] = 10\"}]"
	t90_expect 1 ".sig layer size smaller than the blob" \
		'exceeds 10 bytes' -- \
		"$SIGNET" verify --key "$KEY_A.pub" "$PM/t90/app:v1"
	t90_rules m "[{\"method\": \"GET\", \"path\": \"/manifests/$tag\$\",
		\"json\": \"doc['layers'][0]['size'] = 33 << 20\"}]"
	t90_expect 1 ".sig layer declaring more than 32 MiB" \
		'over the .* limit' -- \
		"$SIGNET" verify --key "$KEY_A.pub" "$PM/t90/app:v1"
	check ".sig layer over 32 MiB: the blob was never requested" -- \
		test "$(t90_seen m '.path | test("/blobs/")')" = 0
	t90_rules m "[{\"method\": \"GET\", \"path\": \"/manifests/$tag\$\",
		\"json\": \"doc['layers'][0]['size'] = 2**63 + 5\"}]"
	t90_expect 1 ".sig layer size beyond int64" 'malformed|limit|integer' -- \
		"$SIGNET" verify --key "$KEY_A.pub" "$PM/t90/app:v1"
	t90_rules m "[{\"method\": \"GET\", \"path\": \"/blobs/$pdg\$\",
		\"oversize_mib\": 1}]"
	t90_expect 1 "payload blob bigger than declared (1 MiB)" 'exceeds' -- \
		"$SIGNET" verify --key "$KEY_A.pub" "$PM/t90/app:v1"
	t90_rules m '[{"method": "GET", "path": "/manifests/v1$",
		"oversize_mib": 5}]'
	t90_expect 2 "manifest of 5 MiB (Content-Length)" 'exceeds 4194304' -- \
		"$SIGNET" verify --key "$KEY_A.pub" "$PM/t90/app:v1"
	t90_rules m '[{"method": "GET", "path": "/manifests/v1$",
		"oversize_mib": 5, "chunked": true}]'
	t90_expect 2 "manifest of 5 MiB (chunked)" 'exceeds 4194304' -- \
		"$SIGNET" verify --key "$KEY_A.pub" "$PM/t90/app:v1"
	t90_rules m "[{\"method\": \"GET\", \"path\": \"/manifests/$tag\$\",
		\"endless\": true}]"
	t90_expect 1 "endless chunked .sig manifest" 'exceeds 4194304' -- \
		"$SIGNET" verify --key "$KEY_A.pub" "$PM/t90/app:v1"
	t90_within 10000 "endless .sig manifest"
	t90_rules m "[{\"method\": \"GET\", \"path\": \"/blobs/$pdg\$\",
		\"endless\": true}]"
	t90_expect 1 "endless chunked payload blob" 'exceeds' -- \
		"$SIGNET" verify --key "$KEY_A.pub" "$PM/t90/app:v1"
	t90_within 10000 "endless payload blob"
}

# ---- stalls, retries, broken connections ------------------------------------

t90_network() {
	local tag
	tag=$(sig_tag "$DG")

	t90_rules m '[{"method": "GET", "path": "/manifests/v1$", "drip": 2}]'
	t90_expect 2 "manifest drip-fed at 2 bytes/s (--timeout 2)" \
		'timed out|timeout' -- "$SIGNET" verify --timeout 2 \
		--key "$KEY_A.pub" "$PM/t90/app:v1"
	t90_within 8000 "drip-fed manifest"
	# a later request is retried, but a timeout once only: 2 attempts
	# of 1 s, plus backoff (t_91 has the drips that outlast a --timeout)
	t90_rules m "[{\"method\": \"GET\", \"path\": \"/manifests/$tag\$\",
		\"drip\": 2}]"
	t90_expect 2 ".sig manifest drip-fed (--timeout 1, retried)" \
		'timed out|timeout' -- "$SIGNET" verify --timeout 1 \
		--key "$KEY_A.pub" "$PM/t90/app:v1"
	t90_within 15000 "drip-fed .sig manifest, with retries"
	check "drip-fed .sig manifest: timed out, sent again once, no more" -- \
		test "$(t90_seen m ".path | endswith(\"$tag\")")" = 2
	t90_rules m '[{"method": "GET", "path": "/manifests/v1$", "delay": 60}]'
	t90_expect 2 "no answer for 60 s (--timeout 2)" 'timed out|timeout' -- \
		"$SIGNET" verify --timeout 2 --key "$KEY_A.pub" "$PM/t90/app:v1"
	t90_within 8000 "silent registry"

	# 429 with Retry-After, then the real answer: signet waits, succeeds
	t90_rules m "[{\"method\": \"GET\", \"path\": \"/manifests/$tag\$\",
		\"times\": 1, \"forward\": false, \"status\": 429,
		\"headers\": {\"Retry-After\": \"2\"}, \"body\": \"slow down\"}]"
	t90_ok "429 + Retry-After: 2 on the .sig manifest, then success" -- \
		"$SIGNET" verify --key "$KEY_A.pub" "$PM/t90/app:v1"
	check "429: signet waited the 2 s it was told ($T90_MS ms)" -- \
		test "$T90_MS" -ge 1900
	check "429: and asked again" -- \
		test "$(t90_seen m ".path | endswith(\"$tag\")")" = 2
	T90_CASES=$((T90_CASES + 1))
	# The first request to a loopback registry (while signet finds out
	# whether it speaks TLS) deserves the same patience.
	t90_rules m '[{"method": "GET", "path": "/manifests/v1$", "times": 1,
		"forward": false, "status": 429, "headers": {"Retry-After": "1"},
		"body": "slow down"}]'
	t90_ok "429 + Retry-After: 1 on the very first request, then success" -- \
		"$SIGNET" verify --key "$KEY_A.pub" "$PM/t90/app:v1"

	t90_rules m "[{\"method\": \"GET\", \"path\": \"/manifests/$tag\$\",
		\"forward\": false, \"status\": 503, \"body\": \"down\"}]"
	t90_expect 2 "503 forever" 'HTTP 503' -- \
		"$SIGNET" verify --key "$KEY_A.pub" "$PM/t90/app:v1"
	t90_within 15000 "503 forever: bounded retries"
	check "503 forever: 1 + 4 retries, no more" -- \
		test "$(t90_seen m ".path | endswith(\"$tag\")")" = 5

	t90_rules m "[{\"method\": \"GET\", \"path\": \"/manifests/$tag\$\",
		\"close_after\": 100, \"times\": 1}]"
	t90_ok "connection closed mid-body once: retried, success" -- \
		"$SIGNET" verify --key "$KEY_A.pub" "$PM/t90/app:v1"
	t90_rules m "[{\"method\": \"GET\", \"path\": \"/manifests/$tag\$\",
		\"close_after\": 100}]"
	t90_expect 2 "connection closed mid-body, every time" \
		'closed|remaining' -- \
		"$SIGNET" verify --key "$KEY_A.pub" "$PM/t90/app:v1"
	t90_within 15000 "closed mid-body: bounded retries"
	t90_rules m '[{"method": "GET", "path": "/manifests/v1$",
		"close_after": 50}]'
	t90_expect 2 "first answer cut after 50 bytes" 'closed|remaining' -- \
		"$SIGNET" verify --key "$KEY_A.pub" "$PM/t90/app:v1"
	t90_rules m "[{\"method\": \"GET\", \"path\": \"/manifests/$tag\$\",
		\"close\": true}]"
	t90_expect 2 "connection closed without an answer" \
		'empty reply|reach' -- \
		"$SIGNET" verify --key "$KEY_A.pub" "$PM/t90/app:v1"
	t90_within 15000 "no answer: bounded retries"
	t90_rules m "[{\"method\": \"GET\", \"path\": \"/manifests/$tag\$\",
		\"header_fill\": {\"name\": \"X-Filler\", \"bytes\": 300000}}]"
	t90_expect 2 "a 300 KB response header" 'reach' -- \
		"$SIGNET" verify --key "$KEY_A.pub" "$PM/t90/app:v1"
	t90_rules m "[{\"method\": \"GET\", \"path\": \"/manifests/$tag\$\",
		\"raw\": \"HTTP/1.1 99999 Nope\\r\\nContent-Length: -5\\r\\n\\r\\nxx\"}]"
	t90_expect 2 "garbage status line" 'reach|response' -- \
		"$SIGNET" verify --key "$KEY_A.pub" "$PM/t90/app:v1"
}

# ---- JSON: invalid, duplicate keys -----------------------------------------

t90_json() {
	local tag b=$T90/bundle d
	tag=$(sig_tag "$DG")

	t90_rules m "[{\"method\": \"GET\", \"path\": \"/manifests/$tag\$\",
		\"body\": \"{\\\"schemaVersion\\\":2,\\\"layers\\\":[\"}]"
	t90_expect 1 ".sig manifest: invalid JSON" 'invalid JSON' -- \
		"$SIGNET" verify --key "$KEY_A.pub" "$PM/t90/app:v1"
	# a parser that keeps the last (first) member would see the real
	# layers; the strict one refuses both
	t90_rules m "[{\"method\": \"GET\", \"path\": \"/manifests/$tag\$\",
		\"replace\": [[\"{\\\"schemaVersion\\\":2,\",
		\"{\\\"layers\\\":[],\\\"schemaVersion\\\":2,\"]]}]"
	t90_expect 1 ".sig manifest: duplicate 'layers' (empty first)" \
		'duplicate' -- "$SIGNET" verify --key "$KEY_A.pub" "$PM/t90/app:v1"
	t90_rules m "[{\"method\": \"GET\", \"path\": \"/manifests/$tag\$\",
		\"replace\": [[\"}}]}\", \"}}],\\\"layers\\\":[]}\"]]}]"
	t90_expect 1 ".sig manifest: duplicate 'layers' (empty last)" \
		'duplicate' -- "$SIGNET" verify --key "$KEY_A.pub" "$PM/t90/app:v1"
	t90_rules m "[{\"method\": \"GET\", \"path\": \"/manifests/$tag\$\",
		\"replace\": [[\"\\\"annotations\\\":{\",
		\"\\\"annotations\\\":{\\\"dev.cosignproject.cosign/signature\\\":\\\"AAAA\\\",\"]]}]"
	t90_expect 1 ".sig manifest: duplicate signature annotation" \
		'duplicate' -- "$SIGNET" verify --key "$KEY_A.pub" "$PM/t90/app:v1"
	# verify hashes the image manifest and never parses it: by tag,
	# bytes that are no manifest are content no signature covers, 1
	t90_rules m '[{"method": "GET", "path": "/manifests/v1$",
		"body": "{\"schemaVersion\":2,"}]'
	t90_expect 1 "image manifest by tag: invalid JSON" '' -- \
		"$SIGNET" verify --key "$KEY_A.pub" "$PM/t90/app:v1"
	t90_rules m '[{"method": "GET", "path": "/manifests/v1$",
		"replace": [["{\"schemaVersion\":2,",
		"{\"schemaVersion\":2,\"schemaVersion\":1,"]]}]'
	t90_expect 1 "image manifest by tag: duplicate key" '' -- \
		"$SIGNET" verify --key "$KEY_A.pub" "$PM/t90/app:v1"

	# sign reads the .sig manifest to add to it: one it cannot read
	# unambiguously is not rewritten (other signatures would be lost)
	t90_rules m "[{\"method\": \"GET\", \"path\": \"/manifests/$tag\$\",
		\"body\": \"{\\\"schemaVersion\\\":2,\\\"layers\\\":[\"}]"
	t90_expect 2 "sign: .sig manifest with invalid JSON" 'invalid JSON' -- \
		"$SIGNET" sign --key "$KEY_B.key" "$PM/t90/app@$DG"
	check "sign: the unreadable .sig manifest was not overwritten" -- \
		test "$(t90_seen m '.method == "PUT" and (.path | test("/manifests/"))')" = 0
	t90_rules m "[{\"method\": \"GET\", \"path\": \"/manifests/$tag\$\",
		\"replace\": [[\"{\\\"schemaVersion\\\":2,\",
		\"{\\\"layers\\\":[],\\\"schemaVersion\\\":2,\"]]}]"
	t90_expect 2 "sign: .sig manifest with duplicate 'layers'" 'duplicate' -- \
		"$SIGNET" sign --key "$KEY_B.key" "$PM/t90/app@$DG"
	check "sign: the ambiguous .sig manifest was not overwritten" -- \
		test "$(t90_seen m '.method == "PUT" and (.path | test("/manifests/"))')" = 0

	# signed payloads (valid signatures) that are no valid documents
	printf '{"critical":{"identity":{"docker-reference":"%s/t90/app"},' \
		"$PM" >"$T90/trunc.json"
	t90_rules m "$(t90_cosign_rules "$T90/trunc.json")"
	t90_expect 1 "signed payload: invalid JSON" 'JSON|payload' -- \
		"$SIGNET" verify --key "$KEY_A.pub" "$PM/t90/app:v1"
	printf '{"critical":{"identity":{"docker-reference":"%s/t90/app"},"image":{"docker-manifest-digest":"%s"},"type":"cosign container image signature"},"optional":null,"critical":{"identity":{"docker-reference":"%s/t90/app"},"image":{"docker-manifest-digest":"%s"},"type":"cosign container image signature"}}' \
		"$PM" "$DO" "$PM" "$DG" >"$T90/dup1.json"
	t90_rules m "$(t90_cosign_rules "$T90/dup1.json")"
	t90_expect 1 "signed payload: duplicate 'critical' (real one last)" \
		'duplicate' -- "$SIGNET" verify --key "$KEY_A.pub" "$PM/t90/app:v1"
	printf '{"critical":{"identity":{"docker-reference":"%s/t90/app"},"image":{"docker-manifest-digest":"%s"},"type":"cosign container image signature"},"optional":null,"critical":{"identity":{"docker-reference":"%s/t90/app"},"image":{"docker-manifest-digest":"%s"},"type":"cosign container image signature"}}' \
		"$PM" "$DG" "$PM" "$DO" >"$T90/dup2.json"
	t90_rules m "$(t90_cosign_rules "$T90/dup2.json")"
	t90_expect 1 "signed payload: duplicate 'critical' (real one first)" \
		'duplicate' -- "$SIGNET" verify --key "$KEY_A.pub" "$PM/t90/app:v1"

	# bundles: signet's own, made invalid or ambiguous
	head -c 100 "$b/bundle.json" >"$b/trunc.json"
	"$T90_PY" -c 'import sys
s = open(sys.argv[1]).read()
bogus = "\"dsseEnvelope\":{\"payload\":\"\",\"payloadType\":\"x\",\"signatures\":[]}"
open(sys.argv[2], "w").write("{" + bogus + "," + s[1:])
open(sys.argv[3], "w").write(s[:-1] + "," + bogus + "}")' \
		"$b/bundle.json" "$b/dup1.json" "$b/dup2.json"
	for d in trunc dup1 dup2; do
		jq -c --arg d "$(sha256_file "$b/$d.json")" \
			--argjson s "$(stat -c %s "$b/$d.json")" \
			'.layers[0].digest = $d | .layers[0].size = $s' \
			"$b/manifest.json" >"$b/$d.manifest"
	done
	t90_rules m "$(t90_serve_referrer t90/bundle "$DB" "$b/trunc.manifest" \
		"$T90_MT_BUNDLE" "$b/trunc.json")"
	t90_expect 1 "bundle: invalid JSON" 'invalid JSON' -- \
		"$SIGNET" verify --key "$KEY_A.pub" "$PM/t90/bundle:v1"
	t90_rules m "$(t90_serve_referrer t90/bundle "$DB" "$b/dup1.manifest" \
		"$T90_MT_BUNDLE" "$b/dup1.json")"
	t90_expect 1 "bundle: duplicate 'dsseEnvelope' (real one last)" \
		'duplicate' -- "$SIGNET" verify --key "$KEY_A.pub" "$PM/t90/bundle:v1"
	t90_rules m "$(t90_serve_referrer t90/bundle "$DB" "$b/dup2.manifest" \
		"$T90_MT_BUNDLE" "$b/dup2.json")"
	t90_expect 1 "bundle: duplicate 'dsseEnvelope' (real one first)" \
		'duplicate' -- "$SIGNET" verify --key "$KEY_A.pub" "$PM/t90/bundle:v1"
	sed 's/^{"schemaVersion":2,/{"schemaVersion":2,"schemaVersion":2,/' \
		"$b/manifest.json" >"$b/dupman.manifest"
	t90_rules m "$(t90_serve_referrer t90/bundle "$DB" "$b/dupman.manifest" \
		"$T90_MT_BUNDLE" "$b/bundle.json")"
	t90_expect 1 "bundle's referrer manifest: duplicate key" 'duplicate' -- \
		"$SIGNET" verify --key "$KEY_A.pub" "$PM/t90/bundle:v1"

	# the referrers index: tag schema and API. A malformed tag index is
	# a warning since issue 13 (cosign copy writes foreign things
	# there), not exit 2: the other signature locations still decide,
	# and here there are none (the bundle is only listed in that tag),
	# so exit 1. A malformed answer of the API stays exit 2.
	t90_rules m '[{"method": "GET", "path": "/manifests/sha256-[0-9a-f]{64}$",
		"body": "{\"manifests\":["}]'
	t90_expect_warned 1 "referrers tag index: invalid JSON" 'invalid JSON' -- \
		"$SIGNET" verify --key "$KEY_A.pub" "$PM/t90/bundle:v1"
	t90_rules m '[{"method": "GET", "path": "/manifests/sha256-[0-9a-f]{64}$",
		"replace": [["{\"schemaVersion\":2,",
		"{\"manifests\":[],\"schemaVersion\":2,"]]}]'
	t90_expect_warned 1 "referrers tag index: duplicate 'manifests'" \
		'duplicate' -- \
		"$SIGNET" verify --key "$KEY_A.pub" "$PM/t90/bundle:v1"
	t90_rules m '[{"method": "GET", "path": "/referrers/", "forward": false,
		"status": 200, "headers": {"Content-Type":
		"application/vnd.oci.image.index.v1+json"}, "body":
		"{\"schemaVersion\":2,\"manifests\":[],\"manifests\":[]}"}]'
	t90_expect 2 "referrers API: duplicate 'manifests'" 'duplicate' -- \
		"$SIGNET" verify --key "$KEY_A.pub" "$PM/t90/bundle:v1"
	t90_rules m '[{"method": "GET", "path": "/referrers/", "forward": false,
		"status": 200, "endless": true}]'
	t90_expect 2 "referrers API: endless body" 'exceeds' -- \
		"$SIGNET" verify --key "$KEY_A.pub" "$PM/t90/bundle:v1"
}

# ---- claims: another image, another repository ------------------------------

t90_claims() {
	local tag
	tag=$(sig_tag "$DG")
	reg_get_manifest "$REG_MAIN" t90/app "$(sig_tag "$DO")" >"$T90/other-sig.json"
	t90_rules m "[{\"method\": \"GET\", \"path\": \"/manifests/$tag\$\",
		\"forward\": false, \"status\": 200, \"body_file\": \"$T90/other-sig.json\",
		\"headers\": {\"Content-Type\": \"$T90_MT_MAN\"}}]"
	t90_expect 1 ".sig manifest of another image (replay)" \
		"payload is for $DO" -- \
		"$SIGNET" verify --key "$KEY_A.pub" "$PM/t90/app:v1"
	t90_payload "$T90/otherrepo.json" "$PM/t90/elsewhere" "$DG"
	t90_rules m "$(t90_cosign_rules "$T90/otherrepo.json")"
	t90_expect 1 "signed payload for another repository" \
		"payload is for repository" -- \
		"$SIGNET" verify --key "$KEY_A.pub" "$PM/t90/app:v1"
	t90_payload "$T90/otherreg.json" "$EM/t90/app" "$DG"
	t90_rules m "$(t90_cosign_rules "$T90/otherreg.json")"
	t90_expect 1 "signed payload for the same repository on another host" \
		"payload is for repository" -- \
		"$SIGNET" verify --key "$KEY_A.pub" "$PM/t90/app:v1"
	t90_payload "$T90/otherdg.json" "$PM/t90/app" "$DO"
	t90_rules m "$(t90_cosign_rules "$T90/otherdg.json")"
	t90_expect 1 "signed payload for another digest" "payload is for $DO" -- \
		"$SIGNET" verify --key "$KEY_A.pub" "$PM/t90/app:v1"
}

# ---- redirects ---------------------------------------------------------------

t90_redirects() {
	local pdg
	pdg=$(jq -r '.layers[0].digest' "$T90/auth-sig.json")

	# A registry may send blobs to a storage host: fine, but never with
	# the registry's credentials.
	t90_rules a "[{\"method\": \"GET\", \"path\": \"/blobs/$pdg\$\",
		\"redirect\": \"http://$EA/storage/blob\"},
		{\"listener\": \"evil\", \"path\": \"^/storage/\",
		\"body_file\": \"$T90/auth-payload.json\"}]"
	t90_ok "control: blob redirected to a storage host, served there" -- \
		"${T90_AUTHENV[@]}" "$SIGNET" verify --key "$KEY_A.pub" \
		"$PA/t90/auth:v1"
	check "storage host: asked once" -- \
		test "$(t90_seen a '.listener == "evil"')" = 1
	t90_evil_clean a "blob redirect"
	t90_rules a "[{\"method\": \"GET\", \"path\": \"/manifests/v1\$\",
		\"auth\": \"basic\", \"redirect\": \"http://$EA/v2/t90/auth/manifests/v1\"}]"
	t90_expect 2 "authenticated manifest request redirected to another host" \
		'not found' -- "${T90_AUTHENV[@]}" "$SIGNET" verify \
		--key "$KEY_A.pub" "$PA/t90/auth:v1"
	check "redirect with credentials: the other host was asked" -- \
		test "$(t90_seen a '.listener == "evil"')" = 1
	t90_evil_clean a "manifest redirect"
	t90_rules a "[{\"method\": \"POST\", \"path\": \"/blobs/uploads/\",
		\"headers\": {\"Location\": \"http://$EA/v2/t90/auth/blobs/uploads/x\"}}]"
	t90_expect 2 "sign: upload location on another host" 'another host' -- \
		"${T90_AUTHENV[@]}" "$SIGNET" sign --key "$KEY_A.key" \
		"$PA/t90/auth@$DA2"
	check "upload elsewhere: nothing was sent there" -- \
		test "$(t90_seen a '.listener == "evil"')" = 0
	t90_rules a "[{\"method\": \"POST\", \"path\": \"/blobs/uploads/\",
		\"headers\": {\"Location\": \"http://$PA@$EA/v2/t90/auth/blobs/uploads/x\"}}]"
	t90_expect 2 "sign: upload location 'http://REGISTRY@EVIL/'" \
		'another host' -- "${T90_AUTHENV[@]}" "$SIGNET" sign \
		--key "$KEY_A.key" "$PA/t90/auth@$DA2"
	t90_evil_clean a "upload location with userinfo"

	t90_rules m "[{\"method\": \"GET\", \"path\": \"/manifests/v1\$\",
		\"redirect\": \"http://$PM/v2/t90/app/manifests/v1\"}]"
	t90_expect 2 "redirect loop (absolute URL)" 'too many redirects' -- \
		"$SIGNET" verify --key "$KEY_A.pub" "$PM/t90/app:v1"
	check "redirect loop: bounded ($(t90_seen m 'true') requests)" -- \
		test "$(t90_seen m 'true')" -le 8
	t90_rules m '[{"method": "GET", "path": "/manifests/v1$",
		"redirect": "/v2/t90/app/manifests/v1"}]'
	t90_expect 2 "redirect loop (path only)" 'too many redirects' -- \
		"$SIGNET" verify --key "$KEY_A.pub" "$PM/t90/app:v1"
	t90_rules m "[{\"method\": \"GET\", \"path\": \"/manifests/v1\$\",
		\"redirect\": \"http://$EM/hop\"},
		{\"listener\": \"evil\", \"redirect\": \"http://$EM/hop\"}]"
	t90_expect 2 "redirect chain on the other host" 'leaves the registry' -- \
		"$SIGNET" verify --key "$KEY_A.pub" "$PM/t90/app:v1"
	t90_rules m "[{\"method\": \"GET\", \"path\": \"/manifests/v1\$\",
		\"redirect\": \"http://user:pass@$EM/x\"}]"
	t90_expect 2 "Location with user:pass@" 'unusable redirect' -- \
		"$SIGNET" verify --key "$KEY_A.pub" "$PM/t90/app:v1"
	check "Location with userinfo: not followed" -- \
		test "$(t90_seen m '.listener == "evil"')" = 0
	t90_rules m '[{"method": "GET", "path": "/manifests/v1$",
		"redirect": "file:///etc/passwd"}]'
	t90_expect 2 "Location file:///etc/passwd" 'unusable redirect' -- \
		"$SIGNET" verify --key "$KEY_A.pub" "$PM/t90/app:v1"
	t90_rules m '[{"method": "GET", "path": "/manifests/v1$",
		"redirect": ""}]'
	t90_expect 2 "redirect with an empty Location" 'without Location' -- \
		"$SIGNET" verify --key "$KEY_A.pub" "$PM/t90/app:v1"
	t90_rules m '[{"method": "GET", "path": "/manifests/v1$",
		"forward": false, "status": 302}]'
	t90_expect 2 "redirect with no Location" 'without Location' -- \
		"$SIGNET" verify --key "$KEY_A.pub" "$PM/t90/app:v1"

	# HTTPS to HTTP: refused, to the same host or another
	t90_rules m '[]'
	t90_rules t "[{\"method\": \"GET\", \"path\": \"/manifests/v1\$\",
		\"redirect\": \"http://$PT/v2/t90/tls/manifests/v1\"}]"
	t90_expect 2 "redirect from HTTPS to HTTP (same host)" \
		'from HTTPS to HTTP' -- "$SIGNET" verify --ca-file \
		"$T90/tls/ca.crt" --key "$KEY_A.pub" "$PT/t90/tls:v1"
	t90_rules t "[{\"method\": \"GET\", \"path\": \"/blobs/\",
		\"redirect\": \"http://$EM/storage\"}]"
	t90_expect 2 "blob redirect from HTTPS to HTTP (another host)" \
		'from HTTPS to HTTP' -- "$SIGNET" verify --ca-file \
		"$T90/tls/ca.crt" --key "$KEY_A.pub" "$PT/t90/tls:v1"
	check "HTTPS to HTTP: the plain host was never asked" -- \
		test "$(t90_seen m '.listener == "evil"')" = 0
}

# ---- authentication challenges -----------------------------------------------

t90_auth() {
	local wa re i
	# Bearer realm on another host: a token may come from there, the
	# registry's credentials may not go there.
	t90_rules a "[{\"upstream_status\": 401, \"headers\": {\"WWW-Authenticate\":
		\"Bearer realm=\\\"http://$EA/token\\\",service=\\\"evil\\\"\"}},
		{\"listener\": \"evil\", \"path\": \"^/token\",
		\"body\": \"{\\\"token\\\":\\\"from-evil\\\"}\"}]"
	t90_expect 2 "Bearer realm on another host" 'authentication' -- \
		"${T90_AUTHENV[@]}" "$SIGNET" verify --key "$KEY_A.pub" \
		"$PA/t90/auth:v1"
	check "Bearer realm elsewhere: the token was asked for there" -- \
		test "$(t90_seen a '.listener == "evil"')" = 1
	t90_evil_clean a "Bearer realm elsewhere"

	# garbage challenges: each one refused, nothing sent anywhere
	i=0
	while IFS='|' read -r wa re; do
		i=$((i + 1))
		wa=${wa//EVIL/$EA}
		t90_rules a "$(jq -cn --arg wa "$wa" '[{upstream_status: 401,
			headers: {"WWW-Authenticate": $wa}}]')"
		t90_expect 2 "WWW-Authenticate garbage $i: '${wa:0:50}'" "$re" -- \
			"${T90_AUTHENV[@]}" "$SIGNET" verify --key "$KEY_A.pub" \
			"$PA/t90/auth:v1"
		t90_evil_clean a "challenge garbage $i"
	done <<-EOF
	Bearer|authentication
	Bearer realm=|unusable authentication challenge
	Bearer realm="http://EVIL/token|unusable authentication challenge
	Bearer realm="ftp://EVIL/token"|unusable authentication challenge
	Bearer realm="http://user:pass@EVIL/token"|unusable authentication challenge
	Bearer realm="http://EVIL/$(printf '%03000d' 0)"|unusable authentication challenge
	Bearer realm="https://EVIL/token"|reach
	Negotiate abc==|authentication failed
	Bearer ,,,,=,=,"""|unusable authentication challenge
	EOF

	# 401 forever: one try with credentials, then stop
	t90_rules a '[{"forward": false, "status": 401, "headers":
		{"WWW-Authenticate": "Basic realm=\"loop\""}}]'
	t90_expect 2 "401 whatever the credentials" 'authentication failed' -- \
		"${T90_AUTHENV[@]}" "$SIGNET" verify --key "$KEY_A.pub" \
		"$PA/t90/auth:v1"
	check "401 loop: 2 requests, no more" -- \
		test "$(t90_seen a 'true')" = 2
	t90_rules a "[{\"path\": \"^/token\", \"forward\": false, \"status\": 200,
		\"body\": \"{\\\"token\\\":\\\"t\\\"}\"},
		{\"forward\": false, \"status\": 401, \"headers\": {\"WWW-Authenticate\":
		\"Bearer realm=\\\"http://$PA/token\\\"\"}}]"
	t90_expect 2 "401 loop through a token service on the same host" \
		'authentication failed' -- "${T90_AUTHENV[@]}" "$SIGNET" verify \
		--key "$KEY_A.pub" "$PA/t90/auth:v1"
	check "token 401 loop: 3 requests, no more" -- \
		test "$(t90_seen a 'true')" = 3

	# token services answering garbage
	i=0
	while IFS='|' read -r body re; do
		i=$((i + 1))
		t90_rules a "$(jq -cn --arg ea "$EA" --arg b "$body" '[
			{upstream_status: 401, headers: {"WWW-Authenticate":
			("Bearer realm=\"http://" + $ea + "/token\"")}},
			{listener: "evil", body: $b}]')"
		t90_expect 2 "token service garbage $i: '${body:0:40}'" "$re" -- \
			"${T90_AUTHENV[@]}" "$SIGNET" verify --key "$KEY_A.pub" \
			"$PA/t90/auth:v1"
	done <<-EOF
	{"token":"a\\nAuthorization: Basic Zm9vOmJhcg=="}|no usable token
	{"token":"$(printf '%04000d' 0)"}|no usable token
	{"token":""}|no usable token
	{"token":42}|no usable token
	{"token":"a","token":"b"}|duplicate
	<html>|invalid JSON
	EOF
	t90_rules a "[{\"upstream_status\": 401, \"headers\": {\"WWW-Authenticate\":
		\"Bearer realm=\\\"http://$EA/token\\\"\"}},
		{\"listener\": \"evil\", \"endless\": true}]"
	t90_expect 2 "token service: endless body" 'exceeds' -- \
		"${T90_AUTHENV[@]}" "$SIGNET" verify --key "$KEY_A.pub" \
		"$PA/t90/auth:v1"
}

# ---- escape sequences from the registry --------------------------------------

t90_escapes() {
	local esc opt tag
	tag=$(sig_tag "$DG")
	# signed annotations carrying OSC/CSI sequences, a C1 CSI (U+009B)
	# and a right-to-left override (U+202E)
	opt='{"note":"\u001b]0;pwned\u0007\u001b[2J\u001b[31mred","\u001b[1mkey":"v","c1":"\u009b31m \u202egnp.exe"}'
	t90_payload "$T90/esc.json" "$PM/t90/app" "$DG" "$opt"
	t90_rules m "$(t90_cosign_rules "$T90/esc.json")"
	for esc in "verify --key $KEY_A.pub" "verify --json --key $KEY_A.pub" \
		"list" "list --json" "list --key $KEY_A.pub"; do
		T90_CASES=$((T90_CASES + 1))
		# shellcheck disable=SC2086 # words on purpose
		t90_ok "escapes in signed annotations: $esc" -- \
			"$SIGNET" $esc "$PM/t90/app:v1" &&
			t90_no_escape "escapes in signed annotations: $esc" strict
	done

	# shellcheck disable=SC2016 # JSON escapes, not expansions
	t90_payload "$T90/escref.json" \
		"$PM/t90/app"'\u001b]0;pwned\u0007\u001b[31m\u009b2J' "$DG"
	t90_rules m "$(t90_cosign_rules "$T90/escref.json")"
	t90_expect 1 "escapes in docker-reference: verify" 'repository' -- \
		"$SIGNET" verify --key "$KEY_A.pub" "$PM/t90/app:v1" &&
		t90_no_escape "escapes in docker-reference: verify" strict
	T90_CASES=$((T90_CASES + 1))
	t90_run "$SIGNET" verify --json --key "$KEY_A.pub" "$PM/t90/app:v1"
	check "escapes in docker-reference: verify --json exits 1" -- \
		test "$LAST_RC" = 1
	t90_no_escape "escapes in docker-reference: verify --json" strict
	T90_CASES=$((T90_CASES + 1))
	t90_ok "escapes in docker-reference: list" -- \
		"$SIGNET" list "$PM/t90/app:v1" &&
		t90_no_escape "escapes in docker-reference: list" strict
	T90_CASES=$((T90_CASES + 1))
	t90_ok "escapes in docker-reference: list --json" -- \
		"$SIGNET" list --json "$PM/t90/app:v1" &&
		t90_no_escape "escapes in docker-reference: list --json" strict

	# registry-supplied text in error messages
	t90_rules m '[{"method": "GET", "path": "/manifests/v1$",
		"forward": false, "status": 404, "body":
		"{\"errors\":[{\"code\":\"MANIFEST_UNKNOWN\",\"message\":\"\\u001b]0;pwned\\u0007\\u009b2J\\u202e gone\"}]}"}]'
	t90_expect 2 "escapes in the registry's error message" 'not found' -- \
		"$SIGNET" verify --key "$KEY_A.pub" "$PM/t90/app:v1" &&
		t90_no_escape "escapes in the registry's error message" strict
	t90_rules m "[{\"method\": \"GET\", \"path\": \"/manifests/$tag\$\",
		\"body\": \"{\\\"layers\\\":[\\u001b]0;pwned\\u0007\\u001b[2J]}\"}]"
	t90_expect 1 "raw escapes in the .sig manifest JSON" 'invalid' -- \
		"$SIGNET" verify --key "$KEY_A.pub" "$PM/t90/app:v1"
	t90_rules m '[{"method": "GET", "path": "/manifests/sha256-[0-9a-f]{64}$",
		"forward": false, "status": 200,
		"body": "{\"manifests\":[\u001b]0;pwned\u0007\u001b[2J]}"}]'
	# a warning, not exit 2, since issue 13 (see the referrers index
	# cases above)
	t90_expect_warned 1 "raw escapes in the referrers index JSON" \
		'invalid' -- \
		"$SIGNET" verify --key "$KEY_A.pub" "$PM/t90/bundle:v1"
	t90_rules m '[{"method": "GET", "path": "/manifests/v1$",
		"redirect": "http://evil\u001b]0;pwned\u0007.example:1/x"}]'
	t90_expect 2 "escapes in a redirect's host" 'redirect|reach' -- \
		"$SIGNET" verify --key "$KEY_A.pub" "$PM/t90/app:v1"
	t90_rules a '[{"upstream_status": 401, "headers": {"WWW-Authenticate":
		"Bearer realm=\"http://evil\u001b]0;pwned\u0007.example/token\""}}]'
	t90_expect 2 "escapes in a Bearer realm's host" 'token|reach' -- \
		"${T90_AUTHENV[@]}" "$SIGNET" verify --key "$KEY_A.pub" \
		"$PA/t90/auth:v1"
	t90_rules a "$(jq -cn --arg ea "$EA" '[
		{upstream_status: 401, headers: {"WWW-Authenticate":
		("Bearer realm=\"http://" + $ea + "/token\"")}},
		{listener: "evil", body: "{\u001b]0;pwned\u0007}"}]')"
	t90_expect 2 "raw escapes in the token response" 'token' -- \
		"${T90_AUTHENV[@]}" "$SIGNET" verify --key "$KEY_A.pub" \
		"$PA/t90/auth:v1"
	t90_notary_case 1 "escapes in a referrer's layer media type" \
		'signature layer' "$(t90_protected)" \
		"$T90_X5C" \
		'application/jose+json\u001b]0;pwned\u0007'
}

# ---- Notary envelopes --------------------------------------------------------

# t90_notary_case WANT DESC REGEX PROTECTED X5C_JSON [LAYER_MT] [KEY]: an
# envelope signed by KEY (the leaf's by default), served by the proxy as
# $DN's only referrer; verify with the t90 CA as the trust anchor.
t90_notary_case() {
	local want=$1 desc=$2 re=$3 prot=$4 x5c=$5 lmt=${6:-}
	local key=${7:-$T90/pki/leaf.pem} n
	T90_NN=$((${T90_NN:-0} + 1))
	n=$T90/notary-$T90_NN
	if ! t90_envelope "$key" "$prot" "$x5c" "$n.jws" ||
		! t90_notary_manifest "$n.jws" "$n.man" "$lmt" ||
		! t90_rules m "$(t90_serve_referrer t90/notary "$DN" "$n.man" \
			"$T90_MT_NOTARY" "$n.jws")"; then
		fail "$desc: craft the envelope"
		return 1
	fi
	if [ "$want" = 0 ]; then
		t90_ok "$desc" -- "$SIGNET" verify --key "$T90/pki/ca.crt" \
			"$PM/t90/notary:v1"
	else
		t90_expect "$want" "$desc" "$re" -- "$SIGNET" verify \
			--key "$T90/pki/ca.crt" "$PM/t90/notary:v1"
	fi
}

t90_notary() {
	local p=$T90/pki leaf ca many i
	leaf=$(t90_der "$p/leaf.crt")
	ca=$(t90_der "$p/ca.crt")
	t90_notary_case 1 "Notary: unknown critical header" \
		'unknown critical' \
		"$(t90_protected '.crit += ["io.example.surprise"] | .["io.example.surprise"] = 1')" \
		"$T90_X5C"
	t90_notary_case 1 "Notary: alg ES256 for an RSA key" 'ES256|alg' \
		"$(t90_protected '.alg = "ES256"')" \
		"$T90_X5C"
	t90_notary_case 1 "Notary: alg none" 'none|alg' \
		"$(t90_protected '.alg = "none"')" \
		"$T90_X5C"
	t90_notary_case 1 "Notary: truncated leaf in x5c" 'certificate|x5c' \
		"$(t90_protected)" \
		"[\"${leaf:0:400}\",\"$ca\"]"
	t90_notary_case 1 "Notary: x5c entry not base64" 'certificate|x5c' \
		"$(t90_protected)" "[\"%%%\",\"$ca\"]"
	t90_notary_case 1 "Notary: x5c empty" 'x5c|certificate' \
		"$(t90_protected)" '[]'
	t90_notary_case 1 "Notary: x5c loops (root repeated)" \
		'self-signed|certificate' "$(t90_protected)" \
		"[\"$leaf\",\"$ca\",\"$ca\",\"$ca\"]"
	t90_notary_case 1 "Notary: x5c loops (leaf repeated)" \
		'issued|certificate' "$(t90_protected)" \
		"[\"$leaf\",\"$leaf\",\"$leaf\",\"$ca\"]"
	many="[\"$leaf\""
	for i in 1 2 3 4 5 6 7 8 9 10 11; do many+=",\"$ca\""; done
	many+=']'
	t90_notary_case 1 "Notary: x5c of 12 certificates" 'certificates' \
		"$(t90_protected)" "$many"
	t90_notary_case 1 "Notary: expired leaf certificate" 'expired' \
		"$(t90_protected)" "$(t90_x5c "$p/expired.crt" "$p/ca.crt")"
	t90_notary_case 1 "Notary: leaf signed with SHA-1" 'SHA-?1' \
		"$(t90_protected)" "$(t90_x5c "$p/sha1.crt" "$p/ca.crt")"
	t90_notary_case 1 "Notary: signed by the CA key, leaf in x5c" \
		'signature|verify' "$(t90_protected)" \
		"$T90_X5C" '' "$p/ca.pem"
}

# ---- audit: what a registry lists --------------------------------------------

# The requests an audit of t90a may make, whatever the registry lists.
T90_AUDIT_PATHS='^/v2/(_catalog\?n=1000|t90a/ok/(tags/list\?n=1000(&last=[^&/]*)?|manifests/(v1|sha256[-:][0-9a-f]{64}(\.sig)?)|blobs/sha256:[0-9a-f]{64}|referrers/sha256:[0-9a-f]{64}))$'

# t90_audit_case DESC WANT REGEX: run the audit of t90a through the
# proxy; it exits exactly WANT, an output line matches REGEX, it requests
# nothing outside T90_AUDIT_PATHS and prints no escape byte.
t90_audit_case() {
	local desc=$1 want=$2 re=$3 stray
	T90_CASES=$((T90_CASES + 1))
	t90_run "$SIGNET" audit --timeout 5 --key "$KEY_A.pub" \
		--repo 't90a/**' "$PM"
	if [ "$LAST_RC" = "$want" ]; then
		pass "$desc: exit $LAST_RC"
	else
		fail "$desc (expected exit $want, got $LAST_RC)"
		t90_detail
		return 1
	fi
	if grep -Eq -- "$re" "$LAST_OUT"; then
		pass "$desc: reported"
	else
		fail "$desc: no output line matches /$re/"
		t90_detail
	fi
	stray=$(jq -r .path "$T90/proxy-m/log" | grep -Ev -- "$T90_AUDIT_PATHS")
	if [ -n "$stray" ]; then
		fail "$desc: requests outside the repository" \
			"$(printf '%s' "$stray" | head -n 3 | cat -v)"
	else
		pass "$desc: no request outside the repository"
	fi
	t90_no_escape "$desc" strict
}

t90_audit() {
	t90_rules m '[]'
	t90_run "$SIGNET" audit --key "$KEY_A.pub" --repo 't90a/**' "$PM"
	check "control: audit of t90a exits 0" -- test "$LAST_RC" = 0

	t90_rules m '[{"method": "GET", "path": "^/v2/t90a/ok/tags/list",
		"json": "doc[\"tags\"] += [\"../../../v2/_catalog\", \"..\", \"x/../../y\", \"a\\u001b]0;pwn\\u0007\", \"b\\u009b2J\", \"c\\r\\nX-Injected: 1\", \"%2e%2e%2fetc\", \"A\" * 5000, \"v1?x=1\", \"v1#frag\", \"\", \"-dash\", \".dot\", 12, None, {\"a\": 1}]"}]'
	t90_audit_case "tag list with path tricks and escapes" 2 \
		'^error.*invalid tag'
	check "tag list tricks: the real tag is still audited" -- \
		grep -q "^signed	$PM/t90a/ok:v1	" "$LAST_OUT"
	t90_rules m '[{"method": "GET", "path": "^/v2/_catalog",
		"json": "doc[\"repositories\"] += [\"t90a/../../x\", \"t90a/ok/../../etc\", \"t90a/\\u001b[31mred\", \"t90a/\" + \"a\" * 300, \"t90a/UPPER\", \"t90a//x\", \"t90a/ok?x\", \"t90a/ok%2f..\", \"t90a/\\u202egnp\"]"}]'
	t90_audit_case "catalog with path tricks and escapes" 2 \
		'^error.*invalid repository name'
	t90_rules m '[{"method": "GET", "path": "^/v2/t90a/ok/tags/list",
		"forward": false, "status": 200, "endless": true}]'
	t90_audit_case "endless tag list" 2 'exceeds'
	t90_rules m "[{\"method\": \"GET\", \"path\": \"^/v2/t90a/ok/tags/list\",
		\"headers\": {\"Link\": \"<http://$EM/v2/t90a/ok/tags/list?n=1000>; rel=\\\"next\\\"\"}}]"
	t90_audit_case "tag list Link to another host" 2 'leaves the registry'
	# a next page that is this page again, forever
	t90_rules m '[{"method": "GET", "path": "^/v2/t90a/ok/tags/list",
		"headers": {"Link": "</v2/t90a/ok/tags/list?n=1000&last=v1>; rel=\"next\""}}]'
	CMD_TIMEOUT=15
	t90_audit_case "tag list whose next page is itself" 2 '.'
	CMD_TIMEOUT=40
	t90_within 10000 "self-referencing tag list pages"
}

# ---- run ---------------------------------------------------------------------

if t90_setup; then
	t90_controls
	t90_integrity
	t90_network
	t90_json
	t90_claims
	t90_redirects
	t90_auth
	t90_escapes
	t90_notary
	t90_audit
	log "t90: $T90_CASES hostile cases"
else
	fail "t90: set-up failed"
fi
t90_proxy_stop_all
CMD_TIMEOUT=$T90_SAVED_CMD_TIMEOUT
