# shellcheck shell=bash
# Keyless cosign 3 bundle referrers on an image: a Sigstore bundle v0.3
# whose DSSE statement names the image, signed with a certificate from the
# private Sigstore instance (tests/tools/sigstore_instance), stored as
# cosign 3 stores it (a referrer manifest under the sha256-<hex> tag
# index: this registry has no referrers API). verify and list with the
# keyless options; forgeries made by the tool and by hand (exit 1).
# Sourced by run.sh.

T58=$WORK/t58
mkdir -p "$T58"
R58=$REG_MAIN/t58
T58_MT_MAN=application/vnd.oci.image.manifest.v1+json
T58_MT_IDX=application/vnd.oci.image.index.v1+json
T58_MT_BUNDLE=application/vnd.dev.sigstore.bundle.v0.3+json
T58_MT_EMPTY=application/vnd.oci.empty.v1+json
T58_SIGN=https://sigstore.dev/cosign/sign/v1
printf '{}' >"$T58/empty.json"

# t58_sign REPO DIGEST NAME [STATEMENT_DIGEST [sigstore_instance options]]:
# a keyless bundle whose statement names STATEMENT_DIGEST (default
# DIGEST), pushed as the one bundle referrer of DIGEST in REPO.
t58_sign() {
	local repo=$1 dg=$2 name=$3 sdg=${4:-$2} size bdg bsz m mdg
	shift 3
	[ $# -gt 0 ] && shift
	printf '{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"%s","digest":{"sha256":"%s"}}],"predicateType":"%s","predicate":{}}' \
		"$REG_MAIN/$repo" "${sdg#sha256:}" "$T58_SIGN" >"$T58/$name.st"
	"$SIGSTORE_INSTANCE" bundle "$I58" --statement "$T58/$name.st" \
		--identity dev@example.com --issuer https://issuer.example "$@" \
		>"$T58/$name.json" || return 1
	size=$(reg_get_manifest "$REG_MAIN" "$repo" "$dg" | wc -c)
	reg_put_blob "$REG_MAIN" "$repo" "$T58/empty.json" >/dev/null || return 1
	bdg=$(reg_put_blob "$REG_MAIN" "$repo" "$T58/$name.json") || return 1
	bsz=$(stat -c %s "$T58/$name.json")
	m=$T58/$name.manifest
	printf '{"schemaVersion":2,"mediaType":"%s","artifactType":"%s","config":{"mediaType":"%s","digest":"%s","size":2},"layers":[{"mediaType":"%s","digest":"%s","size":%s}],"subject":{"mediaType":"%s","digest":"%s","size":%s},"annotations":{"dev.sigstore.bundle.content":"dsse-envelope","dev.sigstore.bundle.predicateType":"%s"}}' \
		"$T58_MT_MAN" "$T58_MT_BUNDLE" "$T58_MT_EMPTY" \
		"$(sha256_file "$T58/empty.json")" "$T58_MT_BUNDLE" "$bdg" \
		"$bsz" "$T58_MT_MAN" "$dg" "$size" "$T58_SIGN" >"$m"
	mdg=$(sha256_file "$m")
	reg_put_manifest "$REG_MAIN" "$repo" "$mdg" "$m" >/dev/null || return 1
	printf '{"schemaVersion":2,"mediaType":"%s","manifests":[{"mediaType":"%s","digest":"%s","size":%s,"artifactType":"%s"}]}' \
		"$T58_MT_IDX" "$T58_MT_MAN" "$mdg" "$(stat -c %s "$m")" \
		"$T58_MT_BUNDLE" >"$m.index"
	reg_put_manifest "$REG_MAIN" "$repo" "sha256-${dg#sha256:}" "$m.index" \
		"$T58_MT_IDX" >/dev/null
}

if [ -x "$SIGSTORE_INSTANCE" ]; then
	I58=$T58/inst
	"$SIGSTORE_INSTANCE" init "$I58" >/dev/null || fail "t58: instance init"
	ROOT58=$I58/trusted_root.json
	ID58=(--trusted-root "$ROOT58" --certificate-identity dev@example.com
		--certificate-oidc-issuer https://issuer.example)

	DG58=$(push_image "$R58/good:1" t58-good) || fail "t58: push good"
	t58_sign t58/good "$DG58" good || fail "t58: sign good"
	expect_exit 0 "keyless bundle referrer verifies" -- \
		"$SIGNET" verify "${ID58[@]}" "$R58/good:1"
	expect_stdout_eq "$R58/good@$DG58" "verify prints the pinned image"
	expect_exit 0 "keyless bundle referrer: --json" -- \
		"$SIGNET" verify "${ID58[@]}" --json "$R58/good:1"
	expect_stdout_match '"identity": "dev@example.com"' "--json: identity"
	expect_stdout_match '"issuer": "https://issuer.example"' "--json: issuer"
	expect_exit 1 "another identity: refused" -- "$SIGNET" verify \
		--trusted-root "$ROOT58" --certificate-identity evil@example.com \
		--certificate-oidc-issuer https://issuer.example "$R58/good:1"
	expect_stderr_match "certificate identity" "another identity: named"
	expect_exit 1 "another issuer: refused" -- "$SIGNET" verify \
		--trusted-root "$ROOT58" --certificate-identity dev@example.com \
		--certificate-oidc-issuer https://evil.example "$R58/good:1"
	expect_exit 1 "another instance's trusted root: refused" -- \
		"$SIGNET" verify --trusted-root "$I58/trusted_root-untrusted.json" \
		--certificate-identity dev@example.com \
		--certificate-oidc-issuer https://issuer.example "$R58/good:1"
	expect_exit 1 "a key, no keyless signer: refused" -- \
		"$SIGNET" verify --key "$KEY_A.pub" "$R58/good:1"
	expect_exit 0 "list shows the keyless bundle" -- \
		"$SIGNET" list --json "$R58/good:1"
	expect_stdout_match 'dev@example.com' "list: the identity"

	DGO58=$(push_image "$R58/other:1" t58-other) || fail "t58: push other"
	t58_sign t58/other "$DGO58" other "$DG58" || fail "t58: sign other"
	expect_exit 1 "statement naming another image: refused" -- \
		"$SIGNET" verify "${ID58[@]}" "$R58/other:1"
	expect_stderr_match "not this image" "another image: named"

	for f58 in wrong-ca:"certificate chain" expired:"certificate chain" \
		no-sct:SCT bad-set:SET body-other-sig:"log entry" \
		sig-other-payload:signature proof-tampered:"inclusion proof" \
		checkpoint-tampered:checkpoint; do
		k58=${f58%%:*}
		d58=$(push_image "$R58/$k58:1" "t58-$k58") || fail "t58: push $k58"
		t58_sign "t58/$k58" "$d58" "$k58" "$d58" --forge "$k58" ||
			fail "t58: sign $k58"
		expect_exit 1 "forged $k58: refused" -- \
			"$SIGNET" verify "${ID58[@]}" "$R58/$k58:1" &&
			expect_stderr_match "${f58#*:}" "forged $k58: named"
	done
else
	log "t_58: no $SIGSTORE_INSTANCE (make sigstore-instance): skipped"
fi
