# shellcheck shell=bash
# Keyless policy entries with trusted roots of their own (issue 12,
# signet-policy(5) "Keyless signers"): two private Sigstore instances A and
# B (tests/tools/sigstore_instance), a policy whose entries name one root
# each, the same identity in both. A signature from A counts for A's entry
# and never for B's, whatever its identity; thresholds of 2 across the two
# instances, with a cosign .sig signature from one and a bundle referrer
# from the other. Sourced by run.sh.

T59R=$WORK/t59roots
P59R=$T59R/pol		# the policy's folder; roots are relative to it
mkdir -p "$P59R/roots"
R59R=$REG_MAIN/t59roots
unset SIGNET_POLICY XDG_CONFIG_HOME SIGNET_TRUSTED_ROOT
ISS59R=https://oidc.example.com
X59R=x@example.com	# an identity both instances certify
Y59R=y@example.com
T59R_MT_MAN=application/vnd.oci.image.manifest.v1+json
T59R_MT_IDX=application/vnd.oci.image.index.v1+json
T59R_MT_BUNDLE=application/vnd.dev.sigstore.bundle.v0.3+json
T59R_SIGN=https://sigstore.dev/cosign/sign/v1
printf '{}' >"$T59R/empty.json"

# t59r_kl NAME IDENTITY ROOT: a keyless entry with its own trusted root.
t59r_kl() {
	printf '"%s":{"keyless":{"identity":"%s","issuer":"%s","trusted-root":"%s"}}' \
		"$1" "$2" "$ISS59R" "$3"
}

# t59r_image NAME: push $R59R/NAME:v1; echo its digest.
t59r_image() {
	push_image "$R59R/$1:v1" "t59r-$1"
}

# t59r_sig NAME DIGEST INSTANCE IDENTITY: a keyless cosign .sig signature.
t59r_sig() {
	keyless_sign_image "$R59R/$1" "$2" "$T59R/$3" "$4" "$ISS59R" >/dev/null
}

# t59r_bundle NAME DIGEST INSTANCE IDENTITY: a keyless Sigstore bundle
# referrer (DSSE statement naming DIGEST) under the referrers tag index,
# as cosign 3 stores it on a registry without the referrers API.
t59r_bundle() {
	local repo=t59roots/$1 dg=$2 f=$T59R/${1//\//-}-$3 size bdg bsz mdg
	printf '{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"%s","digest":{"sha256":"%s"}}],"predicateType":"%s","predicate":{}}' \
		"$REG_MAIN/$repo" "${dg#sha256:}" "$T59R_SIGN" >"$f.st"
	"$SIGSTORE_INSTANCE" bundle "$T59R/$3" --statement "$f.st" \
		--identity "$4" --issuer "$ISS59R" >"$f.json" || return 1
	size=$(reg_get_manifest "$REG_MAIN" "$repo" "$dg" | wc -c)
	reg_put_blob "$REG_MAIN" "$repo" "$T59R/empty.json" >/dev/null || return 1
	bdg=$(reg_put_blob "$REG_MAIN" "$repo" "$f.json") || return 1
	bsz=$(stat -c %s "$f.json")
	printf '{"schemaVersion":2,"mediaType":"%s","artifactType":"%s","config":{"mediaType":"application/vnd.oci.empty.v1+json","digest":"%s","size":2},"layers":[{"mediaType":"%s","digest":"%s","size":%s}],"subject":{"mediaType":"%s","digest":"%s","size":%s},"annotations":{"dev.sigstore.bundle.content":"dsse-envelope","dev.sigstore.bundle.predicateType":"%s"}}' \
		"$T59R_MT_MAN" "$T59R_MT_BUNDLE" "$(sha256_file "$T59R/empty.json")" \
		"$T59R_MT_BUNDLE" "$bdg" "$bsz" "$T59R_MT_MAN" "$dg" "$size" \
		"$T59R_SIGN" >"$f.man"
	mdg=$(sha256_file "$f.man")
	reg_put_manifest "$REG_MAIN" "$repo" "$mdg" "$f.man" >/dev/null || return 1
	printf '{"schemaVersion":2,"mediaType":"%s","manifests":[{"mediaType":"%s","digest":"%s","size":%s,"artifactType":"%s"}]}' \
		"$T59R_MT_IDX" "$T59R_MT_MAN" "$mdg" "$(stat -c %s "$f.man")" \
		"$T59R_MT_BUNDLE" >"$f.idx"
	reg_put_manifest "$REG_MAIN" "$repo" "sha256-${dg#sha256:}" "$f.idx" \
		"$T59R_MT_IDX" >/dev/null
}

# a: X under A; b: X under B; yb: Y under B.
t59r_policy() {
	printf '{"version":1,"keys":{%s,%s,%s},"rules":[%s]}\n' \
		"$(t59r_kl a "$X59R" roots/a.json)" \
		"$(t59r_kl b "$X59R" roots/b.json)" \
		"$(t59r_kl yb "$Y59R" roots/b.json)" \
		"{\"scope\":\"$R59R/a/*\",\"keys\":[\"a\"]},{\"scope\":\"$R59R/b/*\",\"keys\":[\"b\"]},{\"scope\":\"$R59R/two/*\",\"keys\":[\"a\",\"yb\"],\"threshold\":2},{\"scope\":\"$R59R/same/*\",\"keys\":[\"a\",\"b\",\"yb\"],\"threshold\":2}" \
		>"$P59R/roots.json"
}

t59r_check() {
	expect_exit 0 "roots: a policy with two trusted roots is valid" -- \
		"$SIGNET" policy check "$P59R/roots.json"
	expect_stdout_eq "$P59R/roots.json: ok: 3 keys, 4 rules, 2 warnings" \
		"roots: check counts the entries"
	expect_stderr_match "warning: .*\.keys\.b: 'b' names the same keyless signer as 'a'" \
		"roots: one identity under two roots is one signer: a warning"
	expect_exit 0 "roots: show" -- "$SIGNET" policy show \
		--policy "$P59R/roots.json" "$R59R/a/app" "$R59R/two/app"
	expect_stdout_match "^  trusted root: $P59R/roots/a.json\$" \
		"roots: one root for a rule: one line, as before"
	expect_stdout_match "^  trusted root: $P59R/roots/a.json, for a\$" \
		"roots: two roots for a rule: A's, for its entry"
	expect_stdout_match "^  trusted root: $P59R/roots/b.json, for yb\$" \
		"roots: two roots for a rule: B's, for its entry"
}

t59r_verify() {
	local d
	# A's signature for A's entry; B's for B's
	d=$(t59r_image a/app) && t59r_sig a/app "$d" A "$X59R" ||
		{ fail "t59r: sign a/app"; return; }
	expect_exit 0 "roots: A's signature counts for A's entry" -- \
		"$SIGNET" verify --policy "$P59R/roots.json" "$R59R/a/app:v1"
	expect_stdout_eq "$R59R/a/app@$d" "roots: the pinned reference"
	d=$(t59r_image b/ok) && t59r_sig b/ok "$d" B "$X59R" ||
		{ fail "t59r: sign b/ok"; return; }
	expect_exit 0 "roots: B's signature counts for B's entry" -- \
		"$SIGNET" verify --policy "$P59R/roots.json" "$R59R/b/ok:v1"

	# the same identity, the other instance: never
	d=$(t59r_image b/app) && t59r_sig b/app "$d" A "$X59R" ||
		{ fail "t59r: sign b/app"; return; }
	expect_exit 1 "roots: A's signature does not count for B's entry (same identity)" -- \
		"$SIGNET" verify --policy "$P59R/roots.json" "$R59R/b/app:v1"
	expect_error_message "roots: A's signature for B's entry: it is A's entry's" \
		"0 counted; signed by 'a', which the rule does not trust"
	d=$(t59r_image a/fromb) && t59r_sig a/fromb "$d" B "$X59R" ||
		{ fail "t59r: sign a/fromb"; return; }
	expect_exit 1 "roots: B's signature does not count for A's entry" -- \
		"$SIGNET" verify --policy "$P59R/roots.json" "$R59R/a/fromb:v1"
	d=$(t59r_image a/bundle) && t59r_bundle a/bundle "$d" B "$X59R" ||
		{ fail "t59r: bundle a/bundle"; return; }
	expect_exit 1 "roots: B's bundle does not count for A's entry" -- \
		"$SIGNET" verify --policy "$P59R/roots.json" "$R59R/a/bundle:v1"
}

t59r_thresholds() {
	local d
	d=$(t59r_image two/app) && t59r_sig two/app "$d" A "$X59R" ||
		{ fail "t59r: sign two/app"; return; }
	expect_exit 1 "roots: 1 of 2 (A's .sig alone)" -- \
		"$SIGNET" verify --policy "$P59R/roots.json" "$R59R/two/app:v1"
	expect_error_message "roots: 1 of 2 counted" \
		'needs signatures by 2 distinct trusted keys, 1 counted'
	t59r_bundle two/app "$d" B "$Y59R" || { fail "t59r: bundle two/app"; return; }
	expect_exit 0 "roots: 2 of 2 across the instances (A's .sig, B's bundle)" -- \
		"$SIGNET" verify --policy "$P59R/roots.json" "$R59R/two/app:v1"
	expect_exit 0 "roots: --json" -- "$SIGNET" verify --json \
		--policy "$P59R/roots.json" "$R59R/two/app:v1"
	check "roots: --json: 2 counted, one .sig and one bundle" -- jq -e '
		(if type == "array" then .[0] else . end) |
		.counted == 2 and ([.signatures[] | select(.counted) | .format] |
			sort == ["cosign", "sigstore-bundle"])' "$LAST_OUT" >/dev/null

	# Y signed by A: the identity of yb, the wrong instance
	d=$(t59r_image two/wrong) && t59r_sig two/wrong "$d" A "$X59R" &&
		t59r_bundle two/wrong "$d" A "$Y59R" ||
		{ fail "t59r: sign two/wrong"; return; }
	expect_exit 1 "roots: 1 of 2 when the second is from the wrong instance" -- \
		"$SIGNET" verify --policy "$P59R/roots.json" "$R59R/two/wrong:v1"
	expect_error_message "roots: the wrong instance's signature: 1 counted" \
		'2 distinct trusted keys, 1 counted; keyless signature not verified: '

	# one identity, certified by both: one signer
	d=$(t59r_image same/app) && t59r_sig same/app "$d" A "$X59R" &&
		t59r_bundle same/app "$d" B "$X59R" ||
		{ fail "t59r: sign same/app"; return; }
	expect_exit 1 "roots: one identity under both instances counts once" -- \
		"$SIGNET" verify --policy "$P59R/roots.json" "$R59R/same/app:v1"
	expect_error_message "roots: one identity counts once: says so" \
		'1 counted.*already counted'
}

if [ -x "$SIGSTORE_INSTANCE" ] &&
	check "sigstore_instance init A" -- "$SIGSTORE_INSTANCE" init "$T59R/A" &&
	check "sigstore_instance init B" -- "$SIGSTORE_INSTANCE" init "$T59R/B"; then
	cp "$T59R/A/trusted_root.json" "$P59R/roots/a.json"
	cp "$T59R/B/trusted_root.json" "$P59R/roots/b.json"
	t59r_policy
	t59r_check
	t59r_verify
	t59r_thresholds
else
	fail "t_59: no sigstore_instance at $SIGSTORE_INSTANCE (make sigstore-instance)"
fi
