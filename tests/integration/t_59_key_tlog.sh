# shellcheck shell=bash
# Log entries of key signatures: a cosign .sig layer signed with key A
# carrying a Rekor bundle annotation, and a key-signed cosign 3 bundle
# referrer carrying a tlog entry (SET, inclusion proof, checkpoint), both
# made by the private Sigstore instance tool (tests/tools/sigstore_instance
# --key). Without --require-tlog an entry is checked whenever the trusted
# root in use has its log: an honest one verifies (log index in --json),
# a forged one (SET by another log, body for another signature, proof or
# checkpoint tampered) exits 1 naming the check; the entry of a log the
# root does not have is ignored (exit 0), but not with --require-tlog
# (exit 1). The same under a policy. Sourced by run.sh.

T59=$WORK/t59
mkdir -p "$T59"
R59=$REG_MAIN/t59
SI59=$T59/instance
ROOT59=$SI59/trusted_root.json
OTHER59=$SI59/trusted_root-untrusted.json	# only the u-* log
T59_MT_MAN=application/vnd.oci.image.manifest.v1+json
T59_MT_IDX=application/vnd.oci.image.index.v1+json
T59_MT_BUNDLE=application/vnd.dev.sigstore.bundle.v0.3+json
T59_MT_EMPTY=application/vnd.oci.empty.v1+json
T59_SIGN=https://sigstore.dev/cosign/sign/v1
printf '{}' >"$T59/empty.json"

# t59_sig NAME [FORGE]: push $R59/NAME:v1, sign it with key A, then give
# its .sig layer the signature and Rekor bundle the instance tool makes
# with key A over the same payload. Echoes the image digest.
t59_sig() {
	local name=$1 dg m pdg
	local -a forge=()
	[ -n "${2:-}" ] && forge=(--forge "$2")
	dg=$(push_image "$R59/$name:v1" "t59-$name") || return 1
	"$SIGNET" sign --key "$KEY_A.key" "$R59/$name@$dg" >/dev/null ||
		return 1
	split_ref "$R59/$name"
	m=$T59/$name.sig.json
	reg_get_manifest "$SR_HOST" "$SR_REPO" "$(sig_tag "$dg")" >"$m" ||
		return 1
	pdg=$(jq -r '.layers[0].digest' "$m")
	reg_get_blob "$SR_HOST" "$SR_REPO" "$pdg" >"$T59/$name.payload" ||
		return 1
	"$SIGSTORE_INSTANCE" cosign "$SI59" --payload "$T59/$name.payload" \
		--key "$T59/a.key" --log-index 59 "${forge[@]}" \
		>"$T59/$name.ann" || return 1
	jq -c --slurpfile a "$T59/$name.ann" \
		'.layers[0].annotations += $a[0]' "$m" >"$m.new" || return 1
	reg_put_manifest "$SR_HOST" "$SR_REPO" "$(sig_tag "$dg")" "$m.new" \
		>/dev/null || return 1
	echo "$dg"
}

# t59_bundle NAME [FORGE]: push $R59/NAME:v1 and, as its one bundle
# referrer (cosign 3's layout under the sha256-<hex> tag), a bundle v0.3
# whose DSSE statement names it, signed with key A and logged by the
# instance's log. Echoes the image digest.
t59_bundle() {
	local name=$1 repo=t59/$1 dg size bdg bsz m mdg
	local -a forge=()
	[ -n "${2:-}" ] && forge=(--forge "$2")
	dg=$(push_image "$R59/$name:v1" "t59-$name") || return 1
	printf '{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"%s","digest":{"sha256":"%s"}}],"predicateType":"%s","predicate":{}}' \
		"$R59/$name" "${dg#sha256:}" "$T59_SIGN" >"$T59/$name.st"
	"$SIGSTORE_INSTANCE" bundle "$SI59" --statement "$T59/$name.st" \
		--key "$T59/a.key" --log-index 59 "${forge[@]}" \
		>"$T59/$name.json" || return 1
	size=$(reg_get_manifest "$REG_MAIN" "$repo" "$dg" | wc -c)
	reg_put_blob "$REG_MAIN" "$repo" "$T59/empty.json" >/dev/null || return 1
	bdg=$(reg_put_blob "$REG_MAIN" "$repo" "$T59/$name.json") || return 1
	bsz=$(stat -c %s "$T59/$name.json")
	m=$T59/$name.manifest
	printf '{"schemaVersion":2,"mediaType":"%s","artifactType":"%s","config":{"mediaType":"%s","digest":"%s","size":2},"layers":[{"mediaType":"%s","digest":"%s","size":%s}],"subject":{"mediaType":"%s","digest":"%s","size":%s},"annotations":{"dev.sigstore.bundle.content":"dsse-envelope","dev.sigstore.bundle.predicateType":"%s"}}' \
		"$T59_MT_MAN" "$T59_MT_BUNDLE" "$T59_MT_EMPTY" \
		"$(sha256_file "$T59/empty.json")" "$T59_MT_BUNDLE" "$bdg" \
		"$bsz" "$T59_MT_MAN" "$dg" "$size" "$T59_SIGN" >"$m"
	mdg=$(sha256_file "$m")
	reg_put_manifest "$REG_MAIN" "$repo" "$mdg" "$m" >/dev/null || return 1
	printf '{"schemaVersion":2,"mediaType":"%s","manifests":[{"mediaType":"%s","digest":"%s","size":%s,"artifactType":"%s"}]}' \
		"$T59_MT_IDX" "$T59_MT_MAN" "$mdg" "$(stat -c %s "$m")" \
		"$T59_MT_BUNDLE" >"$m.index"
	reg_put_manifest "$REG_MAIN" "$repo" "sha256-${dg#sha256:}" "$m.index" \
		"$T59_MT_IDX" >/dev/null || return 1
	echo "$dg"
}

declare -A T59_DG

# t59_case KIND [FORGE:CHECK...]: the checks for a signature of KIND (sig
# or bundle), and forgeries besides bad-set and body-other-sig.
t59_case() {
	local kind=$1 dg f name
	local -a v=("$SIGNET" verify --key "$KEY_A.pub")
	dg=$("t59_$kind" "$kind-ok") || { fail "t59: $kind-ok"; return; }
	T59_DG[$kind-ok]=$dg
	expect_exit 0 "$kind: logged key signature verifies (root has the log)" -- \
		"${v[@]}" --trusted-root "$ROOT59" --json "$R59/$kind-ok@$dg"
	check "$kind: --json has the verified entry's index and time" -- \
		jq -e '.[0].signatures[0] | .log_index == 59 and
		(.integrated_time | test("Z$"))' "$LAST_OUT"
	expect_exit 0 "$kind: \$SIGNET_TRUSTED_ROOT is the root in use" -- \
		env SIGNET_TRUSTED_ROOT="$ROOT59" "${v[@]}" --json \
		"$R59/$kind-ok@$dg"
	check "$kind: \$SIGNET_TRUSTED_ROOT: the entry was checked" -- \
		jq -e '.[0].signatures[0].log_index == 59' "$LAST_OUT"
	expect_exit 0 "$kind: a log the root does not have is ignored" -- \
		"${v[@]}" --trusted-root "$OTHER59" --json "$R59/$kind-ok@$dg"
	check "$kind: ignored entry: no log index" -- \
		jq -e '.[0].signatures[0].log_index == null' "$LAST_OUT"
	expect_exit 1 "$kind: --require-tlog, log not in the root: exit 1" -- \
		"${v[@]}" --trusted-root "$OTHER59" --require-tlog \
		"$R59/$kind-ok@$dg"
	expect_stderr_match "require-tlog.*no transparency log with key id" \
		"$kind: --require-tlog, unknown log: named"
	expect_exit 0 "$kind: the built-in root lacks the log: ignored" -- \
		env -u SIGNET_TRUSTED_ROOT "${v[@]}" "$R59/$kind-ok@$dg"
	expect_exit 1 "$kind: built-in root, --require-tlog: exit 1" -- \
		env -u SIGNET_TRUSTED_ROOT "${v[@]}" --require-tlog \
		"$R59/$kind-ok@$dg"
	expect_exit 0 "$kind: list --key checks the entry too" -- \
		"$SIGNET" list --key "$KEY_A.pub" --trusted-root "$ROOT59" \
		--json "$R59/$kind-ok@$dg"
	check "$kind: list --json: the log index" -- \
		jq -e '.[0].signatures[0].log_index == 59' "$LAST_OUT"
	shift
	for f in bad-set:SET body-other-sig:"log entry" "$@"; do
		name=$kind-${f%%:*}
		dg=$("t59_$kind" "$name" "${f%%:*}") ||
			{ fail "t59: $name"; continue; }
		T59_DG[$name]=$dg
		expect_exit 1 "$kind: forged ${f%%:*}: exit 1 without --require-tlog" -- \
			"${v[@]}" --trusted-root "$ROOT59" "$R59/$name@$dg" &&
			expect_stderr_match "transparency log entry does not.*${f#*:}" \
				"$kind: forged ${f%%:*}: the check is named"
		expect_exit 1 "$kind: forged ${f%%:*}: \$SIGNET_TRUSTED_ROOT" -- \
			env SIGNET_TRUSTED_ROOT="$ROOT59" "${v[@]}" \
			"$R59/$name@$dg"
		expect_exit 0 "$kind: forged ${f%%:*}, log not in the root: ignored" -- \
			"${v[@]}" --trusted-root "$OTHER59" "$R59/$name@$dg"
	done
}

# t59_policy: the same under a policy naming the instance's root, with
# and without "require-tlog".
t59_policy() {
	local ok=${T59_DG[sig-ok]} bad=${T59_DG[sig-bad-set]} plain r
	local pol=$T59/policy
	mkdir -p "$pol"
	cp "$KEY_A.pub" "$pol/a.pub"
	cp "$ROOT59" "$pol/root.json"
	cp "$OTHER59" "$pol/other.json"
	for r in root other; do
		printf '{"version":1,"trusted-root":"%s.json","keys":{"a":{"public-key":"a.pub"}},"rules":[{"scope":"%s/*","keys":["a"]}]}\n' \
			"$r" "$R59" >"$pol/$r.pol.json"
		printf '{"version":1,"trusted-root":"%s.json","keys":{"a":{"public-key":"a.pub"}},"rules":[{"scope":"%s/*","keys":["a"],"require-tlog":true}]}\n' \
			"$r" "$R59" >"$pol/$r.tlog.json"
	done
	printf '{"version":1,"keys":{"a":{"public-key":"a.pub"}},"rules":[{"scope":"%s/*","keys":["a"]}]}\n' \
		"$R59" >"$pol/none.pol.json"
	expect_exit 0 "policy: a logged key signature" -- \
		"$SIGNET" verify --policy "$pol/root.pol.json" "$R59/sig-ok@$ok"
	expect_exit 1 "policy: a forged SET is refused" -- \
		"$SIGNET" verify --policy "$pol/root.pol.json" "$R59/sig-bad-set@$bad"
	expect_stderr_match "SET" "policy: the SET check is named"
	expect_exit 1 "policy, no trusted-root, \$SIGNET_TRUSTED_ROOT: forged SET refused" -- \
		env SIGNET_TRUSTED_ROOT="$ROOT59" "$SIGNET" verify \
		--policy "$pol/none.pol.json" "$R59/sig-bad-set@$bad"
	expect_exit 0 "policy, no trusted-root, built-in root: ignored" -- \
		env -u SIGNET_TRUSTED_ROOT "$SIGNET" verify \
		--policy "$pol/none.pol.json" "$R59/sig-bad-set@$bad"
	expect_exit 0 "policy: log not in the policy's root: ignored" -- \
		"$SIGNET" verify --policy "$pol/other.pol.json" "$R59/sig-ok@$ok"
	expect_exit 1 "policy require-tlog: log not in the root: refused" -- \
		"$SIGNET" verify --policy "$pol/other.tlog.json" "$R59/sig-ok@$ok"
	expect_exit 0 "policy require-tlog: logged in the root's log" -- \
		"$SIGNET" verify --policy "$pol/root.tlog.json" "$R59/sig-ok@$ok"
	expect_exit 1 "audit: a forged SET is invalid" -- \
		"$SIGNET" audit --key "$KEY_A.pub" --trusted-root "$ROOT59" \
		--repo 't59/sig-*' "$REG_MAIN"
	expect_stdout_match "^invalid	$R59/sig-bad-set:v1	$bad	.*SET" \
		"audit: the forgery's check is named"
	expect_stdout_match "^signed	$R59/sig-ok:v1	$ok	" \
		"audit: the honest image is signed"
	printf '{"mediaType":"application/vnd.dev.sigstore.trustedroot+json;version=0.1","tlogs":{}}\n' \
		>"$T59/bad-root.json"
	expect_exit 2 "a malformed \$SIGNET_TRUSTED_ROOT read for a log entry: exit 2" -- \
		env SIGNET_TRUSTED_ROOT="$T59/bad-root.json" "$SIGNET" verify \
		--key "$KEY_A.pub" "$R59/sig-ok@$ok"
	expect_stderr_match "trusted root" "malformed root: named"
	plain=$(push_image "$R59/plain:v1" t59-plain) || { fail "push"; return; }
	"$SIGNET" sign --key "$KEY_A.key" "$R59/plain@$plain" >/dev/null ||
		{ fail "t59: sign plain"; return; }
	expect_exit 0 "no log entry: a malformed \$SIGNET_TRUSTED_ROOT is never read" -- \
		env SIGNET_TRUSTED_ROOT="$T59/bad-root.json" "$SIGNET" verify \
		--key "$KEY_A.pub" "$R59/plain@$plain"
}

if [ -x "$SIGSTORE_INSTANCE" ] &&
	check "t59: sigstore_instance init" -- "$SIGSTORE_INSTANCE" init "$SI59" &&
	check "t59: key A in plain PEM" -- plain_key "$KEY_A.key" "$T59/a.key"; then
	t59_case sig
	t59_case bundle proof-tampered:"inclusion proof" \
		checkpoint-tampered:checkpoint
	t59_policy
else
	fail "t_59: no sigstore_instance at $SIGSTORE_INSTANCE (make sigstore-instance)"
fi
