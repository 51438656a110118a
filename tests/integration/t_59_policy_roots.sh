# shellcheck shell=bash
# Keyless policy entries with trusted roots of their own (issue 12,
# signet-policy(5) "Keyless signers"): two private Sigstore instances A and
# B (tests/tools/sigstore_instance), a policy whose entries name one root
# each, the same identity in both. A signature from A counts for A's entry
# and never for B's, whatever its identity; thresholds of 2 across the two
# instances, with a cosign .sig signature from one and a bundle referrer
# from the other. Sourced by run.sh.

T59=$WORK/t59
P59=$T59/pol		# the policy's folder; roots are relative to it
mkdir -p "$P59/roots"
R59=$REG_MAIN/t59
unset SIGNET_POLICY XDG_CONFIG_HOME SIGNET_TRUSTED_ROOT
ISS59=https://oidc.example.com
X59=x@example.com	# an identity both instances certify
Y59=y@example.com
T59_MT_MAN=application/vnd.oci.image.manifest.v1+json
T59_MT_IDX=application/vnd.oci.image.index.v1+json
T59_MT_BUNDLE=application/vnd.dev.sigstore.bundle.v0.3+json
T59_SIGN=https://sigstore.dev/cosign/sign/v1
printf '{}' >"$T59/empty.json"

# t59_kl NAME IDENTITY ROOT: a keyless entry with its own trusted root.
t59_kl() {
	printf '"%s":{"keyless":{"identity":"%s","issuer":"%s","trusted-root":"%s"}}' \
		"$1" "$2" "$ISS59" "$3"
}

# t59_image NAME: push $R59/NAME:v1; echo its digest.
t59_image() {
	push_image "$R59/$1:v1" "t59-$1"
}

# t59_sig NAME DIGEST INSTANCE IDENTITY: a keyless cosign .sig signature.
t59_sig() {
	keyless_sign_image "$R59/$1" "$2" "$T59/$3" "$4" "$ISS59" >/dev/null
}

# t59_bundle NAME DIGEST INSTANCE IDENTITY: a keyless Sigstore bundle
# referrer (DSSE statement naming DIGEST) under the referrers tag index,
# as cosign 3 stores it on a registry without the referrers API.
t59_bundle() {
	local repo=t59/$1 dg=$2 f=$T59/${1//\//-}-$3 size bdg bsz mdg
	printf '{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"%s","digest":{"sha256":"%s"}}],"predicateType":"%s","predicate":{}}' \
		"$REG_MAIN/$repo" "${dg#sha256:}" "$T59_SIGN" >"$f.st"
	"$SIGSTORE_INSTANCE" bundle "$T59/$3" --statement "$f.st" \
		--identity "$4" --issuer "$ISS59" >"$f.json" || return 1
	size=$(reg_get_manifest "$REG_MAIN" "$repo" "$dg" | wc -c)
	reg_put_blob "$REG_MAIN" "$repo" "$T59/empty.json" >/dev/null || return 1
	bdg=$(reg_put_blob "$REG_MAIN" "$repo" "$f.json") || return 1
	bsz=$(stat -c %s "$f.json")
	printf '{"schemaVersion":2,"mediaType":"%s","artifactType":"%s","config":{"mediaType":"application/vnd.oci.empty.v1+json","digest":"%s","size":2},"layers":[{"mediaType":"%s","digest":"%s","size":%s}],"subject":{"mediaType":"%s","digest":"%s","size":%s},"annotations":{"dev.sigstore.bundle.content":"dsse-envelope","dev.sigstore.bundle.predicateType":"%s"}}' \
		"$T59_MT_MAN" "$T59_MT_BUNDLE" "$(sha256_file "$T59/empty.json")" \
		"$T59_MT_BUNDLE" "$bdg" "$bsz" "$T59_MT_MAN" "$dg" "$size" \
		"$T59_SIGN" >"$f.man"
	mdg=$(sha256_file "$f.man")
	reg_put_manifest "$REG_MAIN" "$repo" "$mdg" "$f.man" >/dev/null || return 1
	printf '{"schemaVersion":2,"mediaType":"%s","manifests":[{"mediaType":"%s","digest":"%s","size":%s,"artifactType":"%s"}]}' \
		"$T59_MT_IDX" "$T59_MT_MAN" "$mdg" "$(stat -c %s "$f.man")" \
		"$T59_MT_BUNDLE" >"$f.idx"
	reg_put_manifest "$REG_MAIN" "$repo" "sha256-${dg#sha256:}" "$f.idx" \
		"$T59_MT_IDX" >/dev/null
}

# a: X under A; b: X under B; yb: Y under B.
t59_policy() {
	printf '{"version":1,"keys":{%s,%s,%s},"rules":[%s]}\n' \
		"$(t59_kl a "$X59" roots/a.json)" \
		"$(t59_kl b "$X59" roots/b.json)" \
		"$(t59_kl yb "$Y59" roots/b.json)" \
		"{\"scope\":\"$R59/a/*\",\"keys\":[\"a\"]},{\"scope\":\"$R59/b/*\",\"keys\":[\"b\"]},{\"scope\":\"$R59/two/*\",\"keys\":[\"a\",\"yb\"],\"threshold\":2},{\"scope\":\"$R59/same/*\",\"keys\":[\"a\",\"b\",\"yb\"],\"threshold\":2}" \
		>"$P59/roots.json"
}

t59_check() {
	expect_exit 0 "roots: a policy with two trusted roots is valid" -- \
		"$SIGNET" policy check "$P59/roots.json"
	expect_stdout_eq "$P59/roots.json: ok: 3 keys, 4 rules, 2 warnings" \
		"roots: check counts the entries"
	expect_stderr_match "warning: .*\.keys\.b: 'b' names the same keyless signer as 'a'" \
		"roots: one identity under two roots is one signer: a warning"
	expect_exit 0 "roots: show" -- "$SIGNET" policy show \
		--policy "$P59/roots.json" "$R59/a/app" "$R59/two/app"
	expect_stdout_match "^  trusted root: $P59/roots/a.json\$" \
		"roots: one root for a rule: one line, as before"
	expect_stdout_match "^  trusted root: $P59/roots/a.json, for a\$" \
		"roots: two roots for a rule: A's, for its entry"
	expect_stdout_match "^  trusted root: $P59/roots/b.json, for yb\$" \
		"roots: two roots for a rule: B's, for its entry"
}

t59_verify() {
	local d
	# A's signature for A's entry; B's for B's
	d=$(t59_image a/app) && t59_sig a/app "$d" A "$X59" ||
		{ fail "t59: sign a/app"; return; }
	expect_exit 0 "roots: A's signature counts for A's entry" -- \
		"$SIGNET" verify --policy "$P59/roots.json" "$R59/a/app:v1"
	expect_stdout_eq "$R59/a/app@$d" "roots: the pinned reference"
	d=$(t59_image b/ok) && t59_sig b/ok "$d" B "$X59" ||
		{ fail "t59: sign b/ok"; return; }
	expect_exit 0 "roots: B's signature counts for B's entry" -- \
		"$SIGNET" verify --policy "$P59/roots.json" "$R59/b/ok:v1"

	# the same identity, the other instance: never
	d=$(t59_image b/app) && t59_sig b/app "$d" A "$X59" ||
		{ fail "t59: sign b/app"; return; }
	expect_exit 1 "roots: A's signature does not count for B's entry (same identity)" -- \
		"$SIGNET" verify --policy "$P59/roots.json" "$R59/b/app:v1"
	expect_error_message "roots: A's signature for B's entry: it is A's entry's" \
		"0 counted; signed by 'a', which the rule does not trust"
	d=$(t59_image a/fromb) && t59_sig a/fromb "$d" B "$X59" ||
		{ fail "t59: sign a/fromb"; return; }
	expect_exit 1 "roots: B's signature does not count for A's entry" -- \
		"$SIGNET" verify --policy "$P59/roots.json" "$R59/a/fromb:v1"
	d=$(t59_image a/bundle) && t59_bundle a/bundle "$d" B "$X59" ||
		{ fail "t59: bundle a/bundle"; return; }
	expect_exit 1 "roots: B's bundle does not count for A's entry" -- \
		"$SIGNET" verify --policy "$P59/roots.json" "$R59/a/bundle:v1"
}

t59_thresholds() {
	local d
	d=$(t59_image two/app) && t59_sig two/app "$d" A "$X59" ||
		{ fail "t59: sign two/app"; return; }
	expect_exit 1 "roots: 1 of 2 (A's .sig alone)" -- \
		"$SIGNET" verify --policy "$P59/roots.json" "$R59/two/app:v1"
	expect_error_message "roots: 1 of 2 counted" \
		'needs signatures by 2 distinct trusted keys, 1 counted'
	t59_bundle two/app "$d" B "$Y59" || { fail "t59: bundle two/app"; return; }
	expect_exit 0 "roots: 2 of 2 across the instances (A's .sig, B's bundle)" -- \
		"$SIGNET" verify --policy "$P59/roots.json" "$R59/two/app:v1"
	expect_exit 0 "roots: --json" -- "$SIGNET" verify --json \
		--policy "$P59/roots.json" "$R59/two/app:v1"
	check "roots: --json: 2 counted, one .sig and one bundle" -- jq -e '
		(if type == "array" then .[0] else . end) |
		.counted == 2 and ([.signatures[] | select(.counted) | .format] |
			sort == ["cosign", "sigstore-bundle"])' "$LAST_OUT" >/dev/null

	# Y signed by A: the identity of yb, the wrong instance
	d=$(t59_image two/wrong) && t59_sig two/wrong "$d" A "$X59" &&
		t59_bundle two/wrong "$d" A "$Y59" ||
		{ fail "t59: sign two/wrong"; return; }
	expect_exit 1 "roots: 1 of 2 when the second is from the wrong instance" -- \
		"$SIGNET" verify --policy "$P59/roots.json" "$R59/two/wrong:v1"
	expect_error_message "roots: the wrong instance's signature: 1 counted" \
		'2 distinct trusted keys, 1 counted; keyless signature not verified: '

	# one identity, certified by both: one signer
	d=$(t59_image same/app) && t59_sig same/app "$d" A "$X59" &&
		t59_bundle same/app "$d" B "$X59" ||
		{ fail "t59: sign same/app"; return; }
	expect_exit 1 "roots: one identity under both instances counts once" -- \
		"$SIGNET" verify --policy "$P59/roots.json" "$R59/same/app:v1"
	expect_error_message "roots: one identity counts once: says so" \
		'1 counted.*already counted'
}

if [ -x "$SIGSTORE_INSTANCE" ] &&
	check "sigstore_instance init A" -- "$SIGSTORE_INSTANCE" init "$T59/A" &&
	check "sigstore_instance init B" -- "$SIGSTORE_INSTANCE" init "$T59/B"; then
	cp "$T59/A/trusted_root.json" "$P59/roots/a.json"
	cp "$T59/B/trusted_root.json" "$P59/roots/b.json"
	t59_policy
	t59_check
	t59_verify
	t59_thresholds
else
	fail "t_59: no sigstore_instance at $SIGSTORE_INSTANCE (make sigstore-instance)"
fi
