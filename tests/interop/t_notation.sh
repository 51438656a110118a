# shellcheck shell=bash
# signet against notation (the pinned release from peers.sh), both ways,
# on docker-registry (no referrers API: the sha256-<hex> tag index) and on
# referrers-registry (go-containerregistry's registry with the OCI 1.1
# referrers API, started here). Sourced by run.sh, which provides SIGNET,
# NOTATION, PEERS_BIN, REG_MAIN and lib.sh's helpers.

TN=$WORK/t_notation
mkdir -p "$TN"
TN_DATA=$(cd "$(dirname "${BASH_SOURCE[0]}")/../data/notation" &&
	pwd)
TN_SIG_TYPE=application/vnd.cncf.notary.signature
TN_REL=$TN/rel			# signet certificate, ecdsa-p256 (ES256)
TN_RSA=$TN/rsa			# signet certificate, rsa-3072 (PS384)
TN_NK=$TN/nk			# notation's keys: openssl, EC P-256 (ES256)
TN_NR=$TN/nr			# and RSA-2048 (PS256): .pem / .crt
TN_NC=$TN/nc			# NOTATION_CONFIG trusting signet's certificates
TN_NC_NOTATION=$TN/nc-notation	# NOTATION_CONFIG trusting notation's keys only
TN_NC_E2E=$TN/nc-e2e		# NOTATION_CONFIG trusting the vectors' e2e.crt
TN_RR=''			# referrers-registry's 127.0.0.1:PORT
TN_RR_PID=''
TN_WATCH_PID=''

# ---- referrers-registry -----------------------------------------------------

# lib.sh's cleanup knows only reg_start's registries: stop ours at the end
# of this file, on any exit of run.sh (trap), and even when run.sh dies
# without running traps (a watchdog that outlives it by a second at most).
tn_rr_stop() {
	if [ -n "$TN_WATCH_PID" ]; then
		kill "$TN_WATCH_PID" 2>/dev/null
		wait "$TN_WATCH_PID" 2>/dev/null
		TN_WATCH_PID=''
	fi
	if [ -n "$TN_RR_PID" ]; then
		kill "$TN_RR_PID" 2>/dev/null
		wait "$TN_RR_PID" 2>/dev/null
		TN_RR_PID=''
	fi
}

tn_rr_start() {
	local pf=$TN/rr.port n code parent=$$
	"$PEERS_BIN/referrers-registry" -addr 127.0.0.1:0 -port-file "$pf" \
		</dev/null >>"$TN/rr.log" 2>&1 &
	TN_RR_PID=$!
	trap 'tn_rr_stop; lib_cleanup' EXIT
	(
		trap - EXIT
		while kill -0 "$parent" 2>/dev/null; do sleep 1; done
		kill "$TN_RR_PID" 2>/dev/null
	) </dev/null >/dev/null 2>&1 &
	TN_WATCH_PID=$!
	for ((n = 0; n < 100; n++)); do
		if [ -s "$pf" ]; then
			code=$(http_code "http://127.0.0.1:$(cat "$pf")/v2/")
			[ "$code" = 200 ] && break
		fi
		kill -0 "$TN_RR_PID" 2>/dev/null || break
		sleep 0.1
	done
	if [ "${code:-}" != 200 ]; then
		tail -n 5 "$TN/rr.log" >&2
		return 1
	fi
	TN_RR=127.0.0.1:$(cat "$pf")
}

# ---- helpers ----------------------------------------------------------------

# tn_notation CONFIG ARGS...: the notation command line (for expect_exit).
tn_notation() {
	local c=$1
	shift
	TN_CMD=(env NOTATION_CONFIG="$c" "$NOTATION" "$@")
}

# tn_nverify WANT DESC CONFIG [notation verify args...] IMAGE
# WANT is 0, or "fail" for any refusal (never 0, never a time-out).
tn_nverify() {
	local want=$1 desc=$2 c=$3
	shift 3
	tn_notation "$c" verify --insecure-registry "$@"
	if [ "$want" = 0 ]; then
		expect_exit 0 "$desc" -- "${TN_CMD[@]}"
		return
	fi
	run_cmd "${TN_CMD[@]}"
	case $LAST_RC in
	0) fail "$desc (notation accepted it)"; last_detail ;;
	124|137) fail "$desc (notation timed out)"; last_detail ;;
	*) pass "$desc" ;;
	esac
}

# tn_nsign DESC [notation sign args...] IMAGE (signing keys of $TN_NC)
tn_nsign() {
	local desc=$1
	shift
	tn_notation "$TN_NC" sign --insecure-registry "$@"
	expect_exit 0 "$desc" -- "${TN_CMD[@]}"
}

# tn_push HOST REPO SEED: push HOST/REPO:v1; TN_DG, TN_PIN.
tn_push() {
	TN_DG=$(push_image "$1/$2:v1" "$3") || {
		fail "push $1/$2:v1"
		return 1
	}
	TN_PIN=$1/$2@$TN_DG
}

# tn_sigs HOST REPO DIGEST: the Notary signatures of DIGEST, one digest
# per line: from the referrers API on referrers-registry, from the tag
# index on docker-registry.
tn_sigs() {
	if [ "$1" = "$TN_RR" ]; then
		reg_curl "$1" "/v2/$2/referrers/$3"
	else
		reg_get_manifest "$1" "$2" "sha256-${3#sha256:}" 2>/dev/null
	fi | jq -r --arg t "$TN_SIG_TYPE" \
		'.manifests[] | select(.artifactType == $t) | .digest'
}

# tn_jq ARGS...: jq -e, quietly (for check).
tn_jq() {
	jq -e "$@" >/dev/null
}

# tn_fpr CERT: signet's fingerprint of a certificate's key (openssl alone).
tn_fpr() {
	local h
	h=$(openssl x509 -in "$1" -noout -pubkey 2>/dev/null |
		openssl pkey -pubin -outform DER 2>/dev/null | sha256sum) || return 1
	echo "SHA256:${h%% *}"
}

# tn_keyfields: sorted key fields of the last stdout's notation lines,
# space separated.
tn_keyfields() {
	awk -F'\t' '$2 == "notation" { print $3 }' "$LAST_OUT" | sort | tr '\n' ' '
}

# tn_sorted WORD...: the words sorted, space separated.
tn_sorted() {
	printf '%s\n' "$@" | sort | tr '\n' ' '
}

# tn_transplant HOST SRC_REPO SIG_DIGEST DST_REPO IMAGE_DIGEST MODE: copy
# a Notary signature into DST_REPO as the only signature of IMAGE (which
# must be there): MODE "move" keeps the envelope (its payload names what
# it signed), "flip" changes one character of its signature value.
# docker-registry gets IMAGE's tag index; referrers-registry lists it by
# itself.
tn_transplant() {
	local hp=$1 src=$2 sig=$3 dst=$4 img=$5 mode=$6 d edg cdg
	d=$(mktemp -d "$TN/tp.XXXXXX") || return 1
	reg_get_manifest "$hp" "$src" "$sig" >"$d/m" || return 1
	reg_get_blob "$hp" "$src" "$(jq -r '.layers[0].digest' "$d/m")" \
		>"$d/env" || return 1
	if [ "$mode" = flip ]; then
		jq -c '.signature |= (.[0:20] + (if .[20:21] == "A" then "B"
			else "A" end) + .[21:])' "$d/env" >"$d/env.new" &&
			mv "$d/env.new" "$d/env" || return 1
	fi
	printf '{}' >"$d/config"
	cdg=$(reg_put_blob "$hp" "$dst" "$d/config") || return 1
	edg=$(reg_put_blob "$hp" "$dst" "$d/env") || return 1
	reg_get_manifest "$hp" "$dst" "$img" >"$d/img" || return 1
	jq -c --arg edg "$edg" --argjson esz "$(stat -c %s "$d/env")" \
		--arg cdg "$cdg" --arg img "$img" \
		--argjson isz "$(stat -c %s "$d/img")" '
		.layers[0].digest = $edg | .layers[0].size = $esz |
		.config.digest = $cdg |
		.subject.digest = $img | .subject.size = $isz' "$d/m" >"$d/m.new" ||
		return 1
	reg_put_manifest "$hp" "$dst" "$(sha256_file "$d/m.new")" "$d/m.new" \
		>/dev/null || return 1
	[ "$hp" = "$TN_RR" ] && return 0
	jq -c --arg dg "$(sha256_file "$d/m.new")" \
		--argjson sz "$(stat -c %s "$d/m.new")" '{schemaVersion: 2,
		mediaType: "application/vnd.oci.image.index.v1+json",
		manifests: [{mediaType: "application/vnd.oci.image.manifest.v1+json",
			digest: $dg, size: $sz,
			artifactType: "application/vnd.cncf.notary.signature",
			annotations: .annotations}]}' "$d/m.new" >"$d/idx" || return 1
	reg_put_manifest "$hp" "$dst" "sha256-${img#sha256:}" "$d/idx" \
		application/vnd.oci.image.index.v1+json >/dev/null
}

# ---- set-up -----------------------------------------------------------------

# tn_config DIR CERT...: a NOTATION_CONFIG whose trust store "signet"
# holds the CERTs, under a strict trust policy for every repository.
tn_config() {
	local dir=$1 c
	shift
	mkdir -p "$dir"
	echo '{"version":"1.0","trustPolicies":[{"name":"p","registryScopes":["*"],"signatureVerification":{"level":"strict"},"trustStores":["ca:signet"],"trustedIdentities":["*"]}]}' \
		>"$dir/trustpolicy.json"
	for c in "$@"; do
		tn_notation "$dir" cert add --type ca --store signet "$c"
		expect_exit 0 "notation cert add ${c##*/} (${dir##*/})" -- \
			"${TN_CMD[@]}" || return 1
	done
}

# tn_selfsigned NAME CN [openssl req -newkey args...]: NAME.pem and
# NAME.crt, a self-signed code-signing certificate as notation wants it.
tn_selfsigned() {
	local name=$1 cn=$2
	shift 2
	openssl req -x509 "$@" -nodes -keyout "$name.pem" -out "$name.crt" \
		-days 10 -subj "/CN=$cn" \
		-addext "keyUsage=critical,digitalSignature" \
		-addext "extendedKeyUsage=codeSigning" \
		-addext "basicConstraints=critical,CA:FALSE" >/dev/null 2>&1
}

tn_setup() {
	expect_exit 0 "signet keys generate --x509 (ecdsa-p256)" -- \
		"$SIGNET" keys generate --x509 \
		--subject "C=US,ST=WA,O=Example,CN=release" "$TN_REL" || return 1
	expect_exit 0 "signet keys generate --x509 --type rsa-3072" -- \
		"$SIGNET" keys generate --x509 --type rsa-3072 \
		--subject "C=US,O=Example,CN=release-rsa" "$TN_RSA" || return 1
	check "openssl: notation's EC P-256 key and certificate" -- \
		tn_selfsigned "$TN_NK" notation-test -newkey ec \
		-pkeyopt ec_paramgen_curve:P-256 || return 1
	check "openssl: notation's RSA-2048 key and certificate" -- \
		tn_selfsigned "$TN_NR" notation-rsa -newkey rsa:2048 || return 1
	tn_config "$TN_NC" "$TN_REL.crt" "$TN_RSA.crt" || return 1
	tn_config "$TN_NC_NOTATION" "$TN_NK.crt" "$TN_NR.crt" || return 1
	tn_config "$TN_NC_E2E" "$TN_DATA/certs/e2e.crt" || return 1
	printf '{"default":"nk","keys":[{"name":"nk","keyPath":"%s","certPath":"%s"},{"name":"nr","keyPath":"%s","certPath":"%s"}]}\n' \
		"$TN_NK.pem" "$TN_NK.crt" "$TN_NR.pem" "$TN_NR.crt" \
		>"$TN_NC/signingkeys.json"
	check "referrers-registry starts" -- tn_rr_start
}

# ---- signet signs, notation verifies ----------------------------------------

tn_signet_to_notation() {
	local hp=$1 on=$2 r=$1/tn-s2n pin dg sig
	tn_push "$hp" tn-s2n/es "s2n-es-$hp" || return
	pin=$TN_PIN
	expect_exit 0 "$on: signet sign --format notation -a team=x" -- \
		"$SIGNET" sign --format notation --key "$TN_REL.key" \
		--cert "$TN_REL.crt" -a team=x "$pin"
	tn_nverify 0 "$on: notation verifies signet's ES256 signature" \
		"$TN_NC" "$pin"
	tn_nverify 0 "$on: notation verify -m team=x" "$TN_NC" -m team=x "$pin"
	tn_nverify fail "$on: notation verify -m team=y refuses it" \
		"$TN_NC" -m team=y "$pin"
	tn_nverify fail "$on: notation trusting only its own keys refuses it" \
		"$TN_NC_NOTATION" "$pin"
	tn_nverify 0 "$on: notation verifies by tag" "$TN_NC" "$r/es:v1"

	tn_push "$hp" tn-s2n/ps "s2n-ps-$hp" || return
	expect_exit 0 "$on: signet sign --format notation (rsa-3072, PS384)" -- \
		"$SIGNET" sign --format notation --key "$TN_RSA.key" \
		--cert "$TN_RSA.crt" --expiry 24h "$TN_PIN"
	tn_nverify 0 "$on: notation verifies signet's PS384 signature" \
		"$TN_NC" "$TN_PIN"
	tn_nverify fail "$on: notation verify -m team=x: none signed" \
		"$TN_NC" -m team=x "$TN_PIN"

	# tampered: signet's envelope for X under a manifest whose subject is
	# T; and signet's signature of T with one signature character changed
	dg=$(push_image "$r/tamper:t" "s2n-t-$hp") || { fail "push"; return; }
	tn_push "$hp" tn-s2n/src "s2n-t-$hp" || return
	expect_exit 0 "$on: signet signs T in another repository" -- \
		"$SIGNET" sign --format notation --key "$TN_REL.key" \
		--cert "$TN_REL.crt" "$TN_PIN"
	check "$on: T has the same digest in both repositories" -- \
		test "$TN_DG" = "$dg"
	sig=$(tn_sigs "$hp" tn-s2n/src "$dg")
	check "$on: tamper: signature with one character changed" -- \
		tn_transplant "$hp" tn-s2n/src "$sig" tn-s2n/tamper "$dg" flip
	tn_nverify fail "$on: notation refuses signet's tampered signature" \
		"$TN_NC" "$r/tamper@$dg"
	expect_exit 1 "$on: signet refuses it too" -- \
		"$SIGNET" verify --key "$TN_REL.crt" "$r/tamper@$dg"
	sig=$(tn_sigs "$hp" tn-s2n/es "${pin##*@}")
	dg=$(push_image "$r/moved:t" "s2n-m-$hp") || { fail "push"; return; }
	check "$on: tamper: signet's envelope for another image, moved to T" -- \
		tn_transplant "$hp" tn-s2n/es "$sig" tn-s2n/moved "$dg" move
	tn_nverify fail "$on: notation refuses an envelope naming another digest" \
		"$TN_NC" "$r/moved@$dg"
	expect_exit 1 "$on: signet refuses it too" -- \
		"$SIGNET" verify --key "$TN_REL.crt" "$r/moved@$dg"
}

# ---- notation signs, signet verifies ----------------------------------------

tn_notation_to_signet() {
	local hp=$1 on=$2 r=$1/tn-n2s pin dg sig
	tn_push "$hp" tn-n2s/es "n2s-es-$hp" || return
	pin=$TN_PIN
	tn_nsign "$on: notation sign -m team=x (EC P-256)" -m team=x "$pin"
	expect_exit 0 "$on: signet verifies notation's ES256 signature" -- \
		"$SIGNET" verify --key "$TN_NK.crt" "$pin" &&
		expect_stdout_eq "$pin" "$on: verify prints REG/REPO@DIGEST"
	expect_exit 0 "$on: signet verify -a team=x, by tag" -- \
		"$SIGNET" verify --key "$TN_NK.crt" -a team=x "$r/es:v1"
	expect_exit 1 "$on: signet verify -a team=y" -- \
		"$SIGNET" verify --key "$TN_NK.crt" -a team=y "$pin"
	expect_exit 1 "$on: a signet certificate is the wrong anchor" -- \
		"$SIGNET" verify --key "$TN_REL.crt" "$pin"
	expect_exit 1 "$on: --format cosign finds nothing" -- \
		"$SIGNET" verify --key "$TN_NK.crt" --format cosign "$pin"

	tn_push "$hp" tn-n2s/ps "n2s-ps-$hp" || return
	tn_nsign "$on: notation sign --key nr (RSA-2048)" --key nr "$TN_PIN"
	expect_exit 0 "$on: signet verifies notation's PS256 signature" -- \
		"$SIGNET" verify --key "$TN_NR.crt" "$TN_PIN"
	expect_exit 1 "$on: signet verify -a team=x: none signed" -- \
		"$SIGNET" verify --key "$TN_NR.crt" -a team=x "$TN_PIN"

	# notation asked to use the referrers API; it still falls back to the
	# tag schema, as this registry sends no OCI-Subject header. Remove the
	# tag index on referrers-registry: only the referrers API is left.
	tn_push "$hp" tn-n2s/api "n2s-api-$hp" || return
	tn_nsign "$on: notation sign --force-referrers-tag=false" \
		--force-referrers-tag=false "$TN_PIN"
	if [ "$hp" = "$TN_RR" ]; then
		check "$on: delete the sha256-<hex> tag" -- \
			eval 'reg_curl "$hp" "/v2/tn-n2s/api/manifests/sha256-${TN_DG#sha256:}" -X DELETE -o /dev/null'
		check "$on: no sha256-<hex> tag: the referrers API alone" -- \
			not eval 'reg_curl "$hp" /v2/tn-n2s/api/tags/list | grep -q sha256-'
	fi
	expect_exit 0 "$on: signet finds and verifies it" -- \
		"$SIGNET" verify --key "$TN_NK.crt" "$TN_PIN"
	if [ "$hp" = "$TN_RR" ]; then
		# audit knows the tags, so it asks for no tag the list lacks;
		# a signature in the referrers API alone it must still find
		expect_exit 0 "$on: audit finds it through the referrers API" -- \
			env SIGNET_DEBUG=1 "$SIGNET" audit --key "$TN_NK.crt" \
			--repo tn-n2s/api "$hp"
		expect_stdout_match "^signed	$hp/tn-n2s/api:v1	$TN_DG	" \
			"$on: audit: the image is signed"
		check "$on: audit asked the referrers API" -- grep -q \
			"/v2/tn-n2s/api/referrers/$TN_DG -> 200" "$LAST_ERR"
	fi

	# tampered
	dg=$(push_image "$r/tamper:t" "n2s-t-$hp") || { fail "push"; return; }
	tn_push "$hp" tn-n2s/src "n2s-t-$hp" || return
	tn_nsign "$on: notation signs T in another repository" "$TN_PIN"
	sig=$(tn_sigs "$hp" tn-n2s/src "$dg")
	check "$on: tamper: notation's signature with one character changed" -- \
		tn_transplant "$hp" tn-n2s/src "$sig" tn-n2s/tamper "$dg" flip
	expect_exit 1 "$on: signet refuses notation's tampered signature" -- \
		"$SIGNET" verify --key "$TN_NK.crt" "$r/tamper@$dg" &&
		expect_stderr_match "does not verify" \
			"$on: tampered: says the signature does not verify"
	tn_nverify fail "$on: notation refuses it too" "$TN_NC_NOTATION" \
		"$r/tamper@$dg"
	sig=$(tn_sigs "$hp" tn-n2s/es "${pin##*@}")
	dg=$(push_image "$r/moved:t" "n2s-m-$hp") || { fail "push"; return; }
	check "$on: tamper: notation's envelope for another image, moved to T" -- \
		tn_transplant "$hp" tn-n2s/es "$sig" tn-n2s/moved "$dg" move
	expect_exit 1 "$on: signet refuses an envelope naming another digest" -- \
		"$SIGNET" verify --key "$TN_NK.crt" "$r/moved@$dg" &&
		expect_stderr_match "payload names ${pin##*@}" \
			"$on: moved: says the payload names the other digest"
	tn_nverify fail "$on: notation refuses it too" "$TN_NC_NOTATION" \
		"$r/moved@$dg"
}

# ---- both tools on one image ------------------------------------------------

tn_both() {
	local hp=$1 on=$2 pin n
	tn_push "$hp" tn-both/img "both-$hp" || return
	pin=$TN_PIN
	tn_nsign "$on: notation signs first" -m by=notation "$pin"
	expect_exit 0 "$on: then signet" -- "$SIGNET" sign --format notation \
		--key "$TN_REL.key" --cert "$TN_REL.crt" -a by=signet "$pin"
	tn_nsign "$on: then notation again (RSA)" --key nr "$pin"
	check "$on: 3 Notary signatures listed for the image" -- \
		test "$(tn_sigs "$hp" tn-both/img "$TN_DG" | grep -c .)" = 3
	expect_exit 0 "$on: signet list" -- "$SIGNET" list "$pin" &&
		check "$on: signet list shows the 3 signatures" -- \
			test "$(awk -F'\t' '$2 == "notation"' "$LAST_OUT" | grep -c .)" = 3
	expect_exit 0 "$on: signet list --key (all three certificates)" -- \
		"$SIGNET" list --key "$TN_NK.crt" --key "$TN_REL.crt" \
		--key "$TN_NR.crt" "$pin" &&
		check "$on: each listed with its own key" -- \
			test "$(tn_keyfields)" = "$(tn_sorted "$(tn_fpr "$TN_NK.crt")" \
			"$(tn_fpr "$TN_REL.crt")" "$(tn_fpr "$TN_NR.crt")")"
	check "$on: signet list shows each signer's annotations" -- \
		eval 'grep -Fq "	{\"by\":\"notation\"}" "$LAST_OUT" &&
			grep -Fq "	{\"by\":\"signet\"}" "$LAST_OUT"'
	expect_exit 0 "$on: signet verify -a by=signet with signet's cert" -- \
		"$SIGNET" verify --key "$TN_REL.crt" -a by=signet "$pin"
	expect_exit 1 "$on: signet verify -a by=notation with signet's cert" -- \
		"$SIGNET" verify --key "$TN_REL.crt" -a by=notation "$pin"
	expect_exit 0 "$on: signet verify -a by=notation with notation's cert" -- \
		"$SIGNET" verify --key "$TN_NK.crt" -a by=notation "$pin"
	tn_notation "$TN_NC" list --insecure-registry "$pin"
	expect_exit 0 "$on: notation list" -- "${TN_CMD[@]}" &&
		check "$on: notation list shows the 3 signatures" -- \
			test "$(grep -c '── sha256:' "$LAST_OUT")" = 3
	tn_nverify 0 "$on: notation verify -m by=signet" "$TN_NC" -m by=signet "$pin"
	n=$(tn_sigs "$hp" tn-both/img "$TN_DG" | grep -c .)
	check "$on: nothing lost: still 3" -- test "$n" = 3
}

# ---- referrers-registry: what signet's signatures look like there -----------

tn_referrers_api() {
	local hp=$TN_RR on=referrers-registry pin dg sig body=$TN/referrers.json
	tn_push "$hp" tn-api/img tn-api || return
	pin=$TN_PIN
	dg=$TN_DG
	expect_exit 0 "$on: signet sign --format notation" -- \
		"$SIGNET" sign --format notation --key "$TN_REL.key" \
		--cert "$TN_REL.crt" "$pin"
	expect_exit 0 "$on: signet sign --format sigstore-bundle" -- \
		"$SIGNET" sign --format sigstore-bundle --key "$TN_REL.key" "$pin"
	sig=$(reg_get_manifest "$hp" tn-api/img "sha256-${dg#sha256:}" |
		jq -r --arg t "$TN_SIG_TYPE" \
		'.manifests[] | select(.artifactType == $t) | .digest')
	check "$on: signet also kept the tag index (no OCI-Subject header)" -- \
		test -n "$sig"
	check "$on: GET /v2/<repo>/referrers/<digest>" -- \
		eval 'reg_curl "$hp" "/v2/tn-api/img/referrers/$dg" >"$body"'
	check "$on: referrers API lists signet's signature as a Notary signature" -- \
		tn_jq --arg d "$sig" --arg t "$TN_SIG_TYPE" 'any(.manifests[];
		.digest == $d and .artifactType == $t and
		(.annotations["io.cncf.notary.x509chain.thumbprint#S256"] |
		 type) == "string")' "$body"
	# this registry reports a referrer's config media type as its
	# artifactType: the bundle's shows as the empty type, not
	# application/vnd.dev.sigstore.bundle.v0.3+json
	check "$on: the bundle is listed (artifactType: the bundle or the empty type)" -- \
		tn_jq 'any(.manifests[]; .artifactType ==
		"application/vnd.dev.sigstore.bundle.v0.3+json" or
		.artifactType == "application/vnd.oci.empty.v1+json")' "$body" \

	expect_exit 0 "$on: signet verify --format notation" -- \
		"$SIGNET" verify --key "$TN_REL.crt" --format notation "$pin"
	expect_exit 0 "$on: signet verify --format sigstore-bundle, despite that" -- \
		"$SIGNET" verify --key "$TN_REL.crt" --format sigstore-bundle "$pin"
	tn_nverify 0 "$on: notation verifies signet's signature beside the bundle" \
		"$TN_NC" "$pin"

	# notation's test data: the layout holds two signature manifests,
	# its tag index names one; the referrers API shows both
	local v=e2e-valid-multiple-signatures n e2e=$TN_DATA/certs/e2e.crt
	check "$on: push_layout $v" -- \
		push_layout "$TN_DATA/$v" "$hp" "tn-api/$v" || return
	n=$(jq '[.manifests[] | select(.annotations["org.opencontainers.image.ref.name"] // "" | startswith("sha256-") | not)] | length - 1' \
		"$TN_DATA/$v/index.json")
	check "$on: the layout holds 2 signatures" -- test "$n" = 2
	expect_exit 0 "$on: signet list $v" -- \
		"$SIGNET" list "$hp/tn-api/$v:v1" &&
		check "$on: signet list shows the layout's $n signatures" -- \
			test "$(awk -F'\t' '$2 == "notation"' "$LAST_OUT" | grep -c .)" = "$n"
	expect_exit 0 "$on: signet list --key e2e.crt" -- \
		"$SIGNET" list --key "$e2e" "$hp/tn-api/$v:v1" &&
		check "$on: one verified by e2e's key, the other not (-)" -- \
			test "$(tn_keyfields)" = "$(tn_sorted - "$(tn_fpr "$e2e")")"
	expect_exit 0 "$on: signet verify --key e2e.crt" -- \
		"$SIGNET" verify --key "$e2e" "$hp/tn-api/$v:v1"
	tn_nverify 0 "$on: notation verifies the same with e2e.crt" \
		"$TN_NC_E2E" "$hp/tn-api/$v:v1"
}

# ---- expiry (signed first, checked last) ------------------------------------

tn_expiry_sign() {
	tn_push "$REG_MAIN" tn-exp/img tn-exp || return
	TN_EXP_PIN=$TN_PIN
	expect_exit 0 "signet sign --format notation --expiry 1s" -- \
		"$SIGNET" sign --format notation --key "$TN_REL.key" \
		--cert "$TN_REL.crt" --expiry 1s "$TN_EXP_PIN"
	TN_EXP_AFTER=$(($(date +%s) + 2))
}

tn_expiry_check() {
	[ -n "${TN_EXP_PIN:-}" ] || return
	while [ "$(date +%s)" -lt "$TN_EXP_AFTER" ]; do sleep 0.2; done
	tn_nverify fail "notation refuses signet's expired signature" \
		"$TN_NC" "$TN_EXP_PIN"
	expect_exit 1 "signet refuses it too" -- \
		"$SIGNET" verify --key "$TN_REL.crt" "$TN_EXP_PIN"
}

if tn_setup; then
	tn_expiry_sign
	for tn_hp in "$REG_MAIN" "$TN_RR"; do
		if [ "$tn_hp" = "$REG_MAIN" ]; then
			tn_on=docker-registry
		else
			tn_on=referrers-registry
		fi
		tn_signet_to_notation "$tn_hp" "$tn_on"
		tn_notation_to_signet "$tn_hp" "$tn_on"
		tn_both "$tn_hp" "$tn_on"
	done
	tn_referrers_api
	tn_expiry_check
fi
tn_rr_stop
trap lib_cleanup EXIT
