# shellcheck shell=bash
# Copies and mirrors with the real tools: an image and its cosign .sig tag
# copied to another repository by `crane copy` (signed by signet) and by
# `cosign copy` (signed by cosign, .sig scheme). signet refuses the copy by
# default, because the payload names the repository it was signed for, and
# accepts it when that repository is named (--signed-identity, or a policy
# remap). cosign itself ignores the docker-reference. Sourced by run.sh,
# which provides COSIGN, CRANE, SIGNET, REG_MAIN, KEY_A and lib.sh's
# helpers.

TM=$WORK/t_mirror
mkdir -p "$TM/keys"
TMR=$REG_MAIN/mirror		# every repository here is below it
TM_PASS=cosign-pass-$$-$RANDOM-m1r
TM_C=$TM/c/cosign		# a cosign key pair: .key / .pub
unset SIGNET_POLICY XDG_CONFIG_HOME

# ---- signet signs, crane copies -----------------------------------------------

tm_crane() {
	local dg tag
	dg=$(push_image "$TMR/src/app:v1" tm-crane) || {
		fail "mirror: push $TMR/src/app:v1"
		return
	}
	tag=$(sig_tag "$dg")
	expect_exit 0 "mirror: signet sign the original" -- \
		"$SIGNET" sign --key "$KEY_A.key" "$TMR/src/app:v1" || return
	expect_exit 0 "mirror: crane copy the image" -- \
		"$CRANE" copy --insecure "$TMR/src/app:v1" "$TMR/crane/app:v1" ||
		return
	expect_exit 0 "mirror: crane copy its .sig tag" -- \
		"$CRANE" copy --insecure "$TMR/src/app:$tag" \
		"$TMR/crane/app:$tag" || return

	expect_exit 1 "mirror: crane copy refused by default" -- \
		"$SIGNET" verify --key "$KEY_A.pub" "$TMR/crane/app:v1"
	expect_stderr_match "payload is for repository '$TMR/src/app'" \
		"mirror: crane copy: the refusal names the signed repository"
	expect_exit 0 "mirror: crane copy accepted with --signed-identity" -- \
		"$SIGNET" verify --key "$KEY_A.pub" \
		--signed-identity "$TMR/src/app" "$TMR/crane/app:v1" &&
		expect_stdout_eq "$TMR/crane/app@$dg" \
			"mirror: crane copy printed pinned by digest"
	expect_exit 1 "mirror: crane copy: another repository named refuses" \
		-- "$SIGNET" verify --key "$KEY_A.pub" \
		--signed-identity "$TMR/src/other" "$TMR/crane/app:v1"
}

# ---- cosign signs, cosign copies ----------------------------------------------

tm_cosign() {
	local dg
	mkdir -p "${TM_C%/*}"
	expect_exit 0 "mirror: cosign generate-key-pair" -- \
		env COSIGN_PASSWORD="$TM_PASS" "$COSIGN" generate-key-pair \
		--output-key-prefix "$TM_C" || return
	dg=$(push_image "$TMR/src/cos:v1" tm-cosign) || {
		fail "mirror: push $TMR/src/cos:v1"
		return
	}
	expect_exit 0 "mirror: cosign sign (.sig scheme)" -- \
		env COSIGN_PASSWORD="$TM_PASS" "$COSIGN" sign --key "$TM_C.key" \
		--tlog-upload=false --use-signing-config=false \
		--allow-http-registry -y --new-bundle-format=false \
		"$TMR/src/cos@$dg" || return
	expect_exit 0 "mirror: cosign copy the image and its signatures" -- \
		"$COSIGN" copy --allow-http-registry "$TMR/src/cos:v1" \
		"$TMR/hub/src/cos:v1" || return
	reg_get_manifest "$REG_MAIN" mirror/hub/src/cos "$(sig_tag "$dg")" \
		>"$TM/copied-sig.json"
	check "mirror: cosign copy carried the .sig tag" -- \
		test -s "$TM/copied-sig.json"
	# cosign copy also writes the image manifest itself under the
	# referrers fallback tag sha256-<hex> of the copy, which signet reads
	# as malformed registry data (exit 2) when it looks for referrers:
	# so the checks below read the .sig scheme only (--format cosign,
	# "formats": ["cosign"]), the format whose identity is at stake.

	expect_exit 0 "mirror: cosign verify accepts the copy (ignores the reference)" \
		-- "$COSIGN" verify --key "$TM_C.pub" --insecure-ignore-tlog=true \
		--allow-http-registry "$TMR/hub/src/cos:v1"
	expect_exit 1 "mirror: cosign copy refused by signet by default" -- \
		"$SIGNET" verify --key "$TM_C.pub" --format cosign \
		"$TMR/hub/src/cos:v1"
	expect_stderr_match "payload is for repository '$TMR/src/cos'" \
		"mirror: cosign copy: the refusal names the signed repository"
	expect_exit 0 "mirror: cosign copy accepted with --signed-identity" -- \
		"$SIGNET" verify --key "$TM_C.pub" --format cosign \
		--signed-identity "$TMR/src/cos" "$TMR/hub/src/cos:v1"

	cp "$TM_C.pub" "$TM/keys/vendor.pub"
	printf '{"version":1,"keys":{"vendor":{"public-key":"keys/vendor.pub"}},"rules":[{"scope":"%s/hub/**","keys":["vendor"],"formats":["cosign"],"signed-identity":{"type":"remap","prefix":"%s/hub","signed-prefix":"%s"}}]}\n' \
		"$TMR" "$TMR" "$TMR" >"$TM/remap.json"
	expect_exit 0 "mirror: cosign copy accepted by a policy remap" -- \
		"$SIGNET" verify --policy "$TM/remap.json" "$TMR/hub/src/cos:v1" &&
		expect_stdout_eq "$TMR/hub/src/cos@$dg" \
			"mirror: policy remap printed pinned by digest"
	printf '{"version":1,"keys":{"vendor":{"public-key":"keys/vendor.pub"}},"rules":[{"scope":"%s/hub/**","keys":["vendor"],"formats":["cosign"],"signed-identity":{"type":"remap","prefix":"%s/hub","signed-prefix":"%s/elsewhere"}}]}\n' \
		"$TMR" "$TMR" "$TMR" >"$TM/remap-other.json"
	expect_exit 1 "mirror: a remap to another repository refuses" -- \
		"$SIGNET" verify --policy "$TM/remap-other.json" \
		"$TMR/hub/src/cos:v1"
}

tm_crane
tm_cosign
