# shellcheck shell=bash disable=SC2016
# (SC2016: the '$x' in single quotes are jq's variables.)
# Attachments made by the real peers: cosign 3's attestations (cosign
# attest: bundle referrers whose index entry names the predicate type)
# are set aside and never hide or fail a signature; signet list shows
# them, oras attach's SBOMs and other artifacts by kind; an image and its
# signatures copied by cosign copy, which writes foreign things under the
# sha256-<hex> tag, still verify from the .sig tag with a warning at most.
# On docker-registry (the tag schema) and on referrers-registry
# (go-containerregistry's registry, the referrers API). Sourced by run.sh.

TA=$WORK/t_attach
mkdir -p "$TA/c1"
TA_PASS=cosign-pass-$$-$RANDOM-att
TA_C1=$TA/c1/cosign
TA_SLSA=https://slsa.dev/provenance/v1
TA_RR=''
TA_RR_PID=''

# ---- referrers-registry -------------------------------------------------------

ta_rr_stop() {
	if [ -n "$TA_RR_PID" ]; then
		kill "$TA_RR_PID" 2>/dev/null
		wait "$TA_RR_PID" 2>/dev/null
		TA_RR_PID=''
	fi
}

# ta_rr_start: go-containerregistry's registry with the referrers API on
# a free port (TA_RR); at most 10 s to answer.
ta_rr_start() {
	local pf=$TA/rr.port n code=''
	"$PEERS_BIN/referrers-registry" -addr 127.0.0.1:0 -port-file "$pf" \
		</dev/null >>"$TA/rr.log" 2>&1 &
	TA_RR_PID=$!
	trap 'ta_rr_stop; lib_cleanup' EXIT
	for ((n = 0; n < 100; n++)); do
		if [ -s "$pf" ]; then
			code=$(http_code "http://127.0.0.1:$(cat "$pf")/v2/")
			[ "$code" = 200 ] && break
		fi
		kill -0 "$TA_RR_PID" 2>/dev/null || break
		sleep 0.1
	done
	[ "$code" = 200 ] || { tail -n 5 "$TA/rr.log" >&2; return 1; }
	TA_RR=127.0.0.1:$(cat "$pf")
}

# ---- helpers --------------------------------------------------------------------

# ta_cosign ARGS...: cosign offline with key 1 (no log, no signing config).
ta_cosign() {
	env COSIGN_PASSWORD="$TA_PASS" "$COSIGN" "$@" --key "$TA_C1.key" \
		--tlog-upload=false --use-signing-config=false \
		--allow-http-registry -y
}

# ta_image HOST NAME: push HOST/attach/NAME:v1, echo its pinned name.
ta_image() {
	local dg
	dg=$(push_image "$1/attach/$2:v1" "ta-$1-$2") || return 1
	echo "$1/attach/$2@$dg"
}

printf '{"buildType":"https://example.com/t_attach","builder":{"id":"t"}}' \
	>"$TA/predicate.json"
printf '{"spdxVersion":"SPDX-2.3","name":"t_attach"}' >"$TA/sbom.spdx.json"
expect_exit 0 "cosign generate-key-pair" -- env COSIGN_PASSWORD="$TA_PASS" \
	"$COSIGN" generate-key-pair --output-key-prefix "$TA_C1"
check "referrers-registry starts" -- ta_rr_start

# ---- attestations and a signature, both registries ------------------------------

for host in "$REG_MAIN" "$TA_RR"; do
	[ -n "$host" ] || continue
	what="attest ($host)"
	pin=$(ta_image "$host" attested) || { fail "$what: push"; continue; }
	for t in slsaprovenance1 custom spdxjson; do
		pred=$TA/predicate.json
		[ $t = spdxjson ] && pred=$TA/sbom.spdx.json
		expect_exit 0 "$what: cosign attest --type $t" -- \
			ta_cosign attest --predicate "$pred" --type "$t" "$pin"
	done
	expect_exit 1 "$what: attestations alone are no signature" -- \
		"$SIGNET" verify --key "$TA_C1.pub" "$pin"
	expect_stderr_match "no signatures found" \
		"$what: not counted as failing signatures"
	expect_exit 0 "$what: cosign sign" -- ta_cosign sign "$pin"
	expect_exit 0 "$what: signet verify finds the signature" -- \
		"$SIGNET" verify --key "$TA_C1.pub" "$pin"
	expect_exit 0 "$what: signet list --key" -- \
		"$SIGNET" list --key "$TA_C1.pub" "$pin"
	expect_stdout_match "	attestation	SHA256:[0-9a-f]+	$TA_SLSA\$" \
		"$what: list shows the SLSA attestation, verified by the key"
	expect_stdout_match "	sigstore-bundle	SHA256:" \
		"$what: and the signature, verified"
	if grep -q 'attestation.*does not verify' "$LAST_OUT"; then
		fail "$what: an attestation shows as a failing signature"
	else
		pass "$what: no attestation shows as a failing signature"
	fi
	expect_exit 0 "$what: list --json" -- "$SIGNET" list --json "$pin"
	check "$what: three attestations in 'attachments'" -- \
		jq -e '[.[0].attachments[] | select(.kind == "attestation")]
			| length == 3' "$LAST_OUT"
	check "$what: one signature" -- \
		jq -e '.[0].signatures | length == 1' "$LAST_OUT"
	expect_exit 0 "$what: cosign verify-attestation agrees" -- \
		"$COSIGN" verify-attestation --key "$TA_C1.pub" \
		--insecure-ignore-tlog=true --allow-http-registry \
		--type slsaprovenance1 "$pin"

	# oras attach: an SBOM and another artifact type
	what="oras attach ($host)"
	pin=$(ta_image "$host" sbom) || { fail "$what: push"; continue; }
	(cd "$TA" && expect_exit 0 "$what: oras attach an SPDX SBOM" -- \
		"$ORAS" attach --plain-http --artifact-type application/spdx+json \
		"$pin" sbom.spdx.json:application/spdx+json)
	(cd "$TA" && expect_exit 0 "$what: oras attach another artifact" -- \
		"$ORAS" attach --plain-http \
		--artifact-type application/vnd.example.readme+json \
		"$pin" predicate.json)
	expect_exit 0 "$what: signet sign" -- \
		"$SIGNET" sign --format sigstore-bundle --key "$KEY_A.key" "$pin"
	expect_exit 0 "$what: signet verify" -- \
		"$SIGNET" verify --key "$KEY_A.pub" "$pin"
	expect_exit 0 "$what: signet list" -- "$SIGNET" list "$pin"
	expect_stdout_match "	sbom	-	application/spdx\\+json\$" \
		"$what: the SBOM"
	expect_stdout_match "	artifact	-	application/vnd.example.readme\\+json\$" \
		"$what: the other artifact"
done

# ---- the issue's case: 101 cosign attestations and one signature ----------------

pin=$(ta_image "$REG_MAIN" many) || fail "101 attestations: push"
n=0
for ((i = 0; i < 101; i++)); do
	printf '{"buildType":"https://example.com/t_attach","n":%s}' "$i" \
		>"$TA/many.json"
	run_cmd ta_cosign attest --predicate "$TA/many.json" \
		--type slsaprovenance1 "$pin"
	[ "$LAST_RC" = 0 ] && n=$((n + 1))
done
check "101 attestations: cosign attest made them all ($n)" -- test "$n" = 101
expect_exit 0 "101 attestations: cosign sign" -- ta_cosign sign "$pin"
SIGNET_DEBUG=1 expect_exit 0 "101 attestations: signet verify finds the signature" -- \
	"$SIGNET" verify --key "$TA_C1.pub" "$pin"
n=$(grep -Ec '^signet: debug: .* (GET|HEAD) [^ ]+ -> ' "$LAST_ERR")
log "t_attach: verify with 101 cosign attestations: $n requests"
# the tag index lists no annotations: one manifest each tells them apart
check "101 attestations: at most 120 requests ($n)" -- test "$n" -le 120
expect_exit 0 "101 attestations: cosign verify agrees" -- \
	"$COSIGN" verify --key "$TA_C1.pub" --insecure-ignore-tlog=true \
	--allow-http-registry "$pin"

# ---- cosign copy ---------------------------------------------------------------

pin=$(ta_image "$REG_MAIN" copy-src) || fail "cosign copy: push"
expect_exit 0 "cosign copy: cosign sign (.sig)" -- \
	ta_cosign sign --new-bundle-format=false "$pin"
expect_exit 0 "cosign copy: cosign attest" -- \
	ta_cosign attest --predicate "$TA/predicate.json" --type slsaprovenance1 \
	"$pin"
expect_exit 0 "cosign copy: cosign copy" -- "$COSIGN" copy \
	--allow-http-registry -f "$pin" "$REG_MAIN/attach/copy-dst:v1"
dpin=$REG_MAIN/attach/copy-dst@${pin#*@}
reg_get_manifest "$REG_MAIN" attach/copy-dst "sha256-${pin#*@sha256:}" \
	>"$TA/copied-tag.json" 2>/dev/null
log "t_attach: cosign copy left under sha256-<hex>: $(jq -c '{mediaType, n: (.manifests // .layers | length)}' "$TA/copied-tag.json" 2>&1)"
expect_exit 0 "cosign copy: the copy verifies from its .sig tag" -- \
	"$SIGNET" verify --key "$TA_C1.pub" \
	--signed-identity "$REG_MAIN/attach/copy-src" "$dpin"
expect_exit 0 "cosign copy: signet list of the copy" -- \
	"$SIGNET" list "$dpin"
expect_stdout_match "	cosign	-	" "cosign copy: the .sig signature listed"
if jq -e '.manifests' "$TA/copied-tag.json" >/dev/null 2>&1; then
	pass "cosign copy: the sha256-<hex> tag holds an index (nothing to warn)"
else
	expect_stdout_match "	warning	the referrers tag 'sha256-" \
		"cosign copy: the foreign sha256-<hex> tag is a warning row"
	expect_exit 1 "cosign copy: no signature the key accepts: exit 1, not 2" -- \
		"$SIGNET" verify --key "$KEY_B.pub" "$dpin"
	expect_stderr_match "^signet: warning: the referrers tag" \
		"cosign copy: verify warns about the tag"
fi
expect_exit 0 "cosign copy: cosign verify agrees" -- \
	"$COSIGN" verify --key "$TA_C1.pub" --insecure-ignore-tlog=true \
	--allow-http-registry "$dpin"

ta_rr_stop
trap lib_cleanup EXIT
