# shellcheck shell=bash
# Mirrors and copies: a cosign .sig signature names the repository it was
# made for, so an image copied with its signatures to another repository
# (or the same registry reached as localhost) is refused by default, and
# accepted only when the repository it was signed for is named: verify
# --signed-identity REPO, or a policy rule's "signed-identity"
# (exact-repository, remap). The digest binding always holds. Sourced by
# run.sh.

T55=$WORK/t55
mkdir -p "$T55/keys"
R55=$REG_MAIN/t55
PORT55=${REG_MAIN##*:}
LH55=localhost:$PORT55		# the same registry under another name
unset SIGNET_POLICY XDG_CONFIG_HOME
cp "$KEY_A.pub" "$T55/keys/alice.pub"

# t55_copy SRC DST REFERENCE: copy a manifest and the blobs it names from
# repository SRC to DST of the main registry (names below the registry),
# stored under REFERENCE (a tag or the digest) in DST.
t55_copy() {
	local m=$T55/copy.json d
	reg_get_manifest "$REG_MAIN" "$1" "$3" >"$m" || return 1
	for d in $(jq -r '.config.digest, .layers[].digest' "$m"); do
		reg_get_blob "$REG_MAIN" "$1" "$d" >"$T55/blob" || return 1
		reg_put_blob "$REG_MAIN" "$2" "$T55/blob" >/dev/null || return 1
	done
	reg_put_manifest "$REG_MAIN" "$2" "$3" "$m" >/dev/null
}

# t55_policy FILE SIGNED_IDENTITY_JSON [SCOPE]: alice trusted for SCOPE
# (default: everything under t55) with this "signed-identity" (none when
# empty).
t55_policy() {
	local id=${2:+,\"signed-identity\":$2}
	printf '{"version":1,"keys":{"alice":{"public-key":"keys/alice.pub"}},"rules":[{"scope":"%s","keys":["alice"]%s}]}\n' \
		"${3:-$R55/**}" "$id" >"$1"
}

# ---- the signed original and its copies --------------------------------------

DG55=$(push_image "$R55/origin:v1" t55-origin)
run_cmd "$SIGNET" sign --key "$KEY_A.key" "$R55/origin:v1"
[ "$LAST_RC" = 0 ] || { fail "t55: sign the original"; last_detail; }
SIG55=$(sig_tag "$DG55")
for repo in t55/copy t55/mirror/origin; do
	t55_copy t55/origin "$repo" v1 &&
		t55_copy t55/origin "$repo" "$SIG55" ||
		fail "t55: copy the image and its .sig tag to $repo"
done

expect_exit 0 "the original verifies" -- \
	"$SIGNET" verify --key "$KEY_A.pub" "$R55/origin:v1"

# ---- refused by default -------------------------------------------------------

expect_exit 1 "a copy in another repository is refused by default" -- \
	"$SIGNET" verify --key "$KEY_A.pub" "$R55/copy:v1"
expect_stderr_match "payload is for repository '$R55/origin', not '$R55/copy'" \
	"the refusal names both repositories"
expect_stderr_match "signed-identity" "the refusal says how to accept a copy"
expect_exit 1 "the same registry reached as localhost is refused by default" \
	-- "$SIGNET" verify --key "$KEY_A.pub" "$LH55/t55/origin:v1"
expect_stderr_match "not '$LH55/t55/origin'" \
	"the refusal names the host the image was reached by"

# ---- the command-line form ----------------------------------------------------

expect_exit 0 "--signed-identity names the repository the copy was signed for" \
	-- "$SIGNET" verify --key "$KEY_A.pub" --signed-identity "$R55/origin" \
	"$R55/copy:v1"
expect_stdout_eq "$R55/copy@$DG55" "and the copy is printed pinned"
expect_exit 0 "--signed-identity accepts the registry reached as localhost" \
	-- "$SIGNET" verify --key "$KEY_A.pub" --signed-identity "$R55/origin" \
	"$LH55/t55/origin:v1"
expect_exit 1 "--signed-identity naming another repository refuses" -- \
	"$SIGNET" verify --key "$KEY_A.pub" --signed-identity "$R55/elsewhere" \
	"$R55/copy:v1"
expect_stderr_match "as the signed identity requires" \
	"and says the signed identity was not met"
expect_exit 1 "--signed-identity replaces the default: the original refused" \
	-- "$SIGNET" verify --key "$KEY_A.pub" --signed-identity "$R55/copy" \
	"$R55/origin:v1"
mkdir -p "$T55/fakebin"
printf '#!/bin/sh\nprintf "%%s\\n" "$@" >"%s"\n' "$T55/argv" \
	>"$T55/fakebin/docker"
chmod +x "$T55/fakebin/docker"
expect_exit 0 "signet run verifies a copy with --signed-identity" -- \
	env PATH="$T55/fakebin:$PATH" "$SIGNET" run --key "$KEY_A.pub" \
	--signed-identity "$R55/origin" -- docker run "$R55/copy:v1"
check "signet run hands docker the verified copy by digest" -- \
	grep -qx "$R55/copy@$DG55" "$T55/argv"

# the digest binding holds whatever the identity: the original's .sig
# manifest under the tag of another image is still refused
DO55=$(push_image "$R55/copy:other" t55-other)
t55_copy t55/origin t55/copy "$SIG55" &&
	reg_put_manifest "$REG_MAIN" t55/copy "$(sig_tag "$DO55")" \
		"$T55/copy.json" >/dev/null ||
	fail "t55: move the .sig manifest to another image's tag"
expect_exit 1 "--signed-identity never lifts the digest binding" -- \
	"$SIGNET" verify --key "$KEY_A.pub" --signed-identity "$R55/origin" \
	"$R55/copy:other"
expect_stderr_match "payload is for $DG55" "the refusal names the signed digest"

# usage
expect_exit 2 "--signed-identity with a tag is a usage error" -- \
	"$SIGNET" verify --key "$KEY_A.pub" --signed-identity "$R55/origin:v1" \
	"$R55/copy:v1"
expect_error_message "--signed-identity with a tag: said" "without tag or digest"
expect_exit 2 "--signed-identity with a digest is a usage error" -- \
	"$SIGNET" verify --key "$KEY_A.pub" \
	--signed-identity "$R55/origin@$DG55" "$R55/copy:v1"
expect_exit 2 "--signed-identity without --key is a usage error" -- \
	"$SIGNET" verify --policy "$T55/none.json" \
	--signed-identity "$R55/origin" "$R55/copy:v1"
expect_error_message "--signed-identity without --key: said" "goes with --key"
expect_exit 2 "list takes no --signed-identity" -- \
	"$SIGNET" list --key "$KEY_A.pub" --signed-identity "$R55/origin" \
	"$R55/copy:v1"

# ---- the policy's "signed-identity" -------------------------------------------

t55_policy "$T55/strict.json" ""
expect_exit 1 "policy without signed-identity: the copy is refused" -- \
	"$SIGNET" verify --policy "$T55/strict.json" "$R55/copy:v1"
expect_stderr_match "payload is for repository '$R55/origin'" \
	"the policy's refusal names the signed repository"

t55_policy "$T55/exact.json" \
	"{\"type\":\"exact-repository\",\"repository\":\"$R55/origin\"}" \
	"$R55/copy"
expect_exit 0 "policy exact-repository accepts the copy" -- \
	"$SIGNET" verify --policy "$T55/exact.json" "$R55/copy:v1"
expect_stdout_eq "$R55/copy@$DG55" "the copy printed pinned under a policy"

t55_policy "$T55/remap.json" \
	"{\"type\":\"remap\",\"prefix\":\"$R55/mirror\",\"signed-prefix\":\"$R55\"}"
expect_exit 0 "policy remap accepts an image under the mirror prefix" -- \
	"$SIGNET" verify --policy "$T55/remap.json" "$R55/mirror/origin:v1"
expect_exit 1 "policy remap: outside the prefix the default holds" -- \
	"$SIGNET" verify --policy "$T55/remap.json" "$R55/copy:v1"
expect_exit 0 "policy remap: the original still verifies" -- \
	"$SIGNET" verify --policy "$T55/remap.json" "$R55/origin:v1"

t55_policy "$T55/remap-other.json" \
	"{\"type\":\"remap\",\"prefix\":\"$R55/mirror\",\"signed-prefix\":\"$R55/elsewhere\"}"
expect_exit 1 "policy remap naming another repository refuses" -- \
	"$SIGNET" verify --policy "$T55/remap-other.json" "$R55/mirror/origin:v1"
expect_stderr_match "not '$R55/elsewhere/origin' as the signed identity" \
	"the refusal names the repository the remap expects"

t55_policy "$T55/remap-host.json" \
	"{\"type\":\"remap\",\"prefix\":\"$LH55\",\"signed-prefix\":\"$REG_MAIN\"}" \
	"$LH55/**"
expect_exit 0 "policy remap of a host: the registry reached as localhost" -- \
	"$SIGNET" verify --policy "$T55/remap-host.json" "$LH55/t55/origin:v1"

# ---- policy check and show ----------------------------------------------------

expect_exit 0 "policy check accepts a remap" -- \
	"$SIGNET" policy check "$T55/remap.json"
run_cmd "$SIGNET" policy show --policy "$T55/remap.json" "$R55/mirror/origin"
check "policy show names the repository signatures must name" -- \
	grep -q "signed for:.*$R55/origin" "$LAST_OUT"

t55_bad() {	# t55_bad DESC SIGNED_IDENTITY_JSON REGEX [FORMATS_JSON]
	local f=$T55/bad.json
	t55_policy "$f" "$2"
	[ -n "${4:-}" ] && sed -i "s|\"keys\":\\[\"alice\"\\]|&,\"formats\":$4|" "$f"
	expect_exit 2 "policy check: $1" -- "$SIGNET" policy check "$f"
	expect_stderr_match "$3" "policy check: $1: said"
}
t55_bad "unknown type" '{"type":"matchExact"}' \
	'signed-identity.type: unknown type'
t55_bad "unknown field" '{"type":"remap","prefix":"a.b","signed-prefix":"c.d","x":1}' \
	'signed-identity.x: unknown field'
t55_bad "repository with a tag" \
	"{\"type\":\"exact-repository\",\"repository\":\"$R55/origin:v1\"}" \
	'without tag or digest'
t55_bad "repository not in full" \
	'{"type":"exact-repository","repository":"alpine"}' \
	"as 'docker.io/library/alpine'"
t55_bad "prefix without a host" \
	'{"type":"remap","prefix":"hub","signed-prefix":"docker.io"}' \
	'signed-identity.prefix: .*registry host'
t55_bad "remap without signed-prefix" \
	'{"type":"remap","prefix":"a.b"}' 'signed-prefix: missing'
t55_bad "remap with repository" \
	"{\"type\":\"remap\",\"prefix\":\"a.b\",\"signed-prefix\":\"c.d\",\"repository\":\"$R55/x\"}" \
	"takes no \"repository\""
t55_bad "a rule without cosign" \
	"{\"type\":\"exact-repository\",\"repository\":\"$R55/origin\"}" \
	'applies to cosign signatures' '["notation"]'
