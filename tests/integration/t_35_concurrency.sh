# shellcheck shell=bash
# Concurrent signers on a registry with no referrers API and no
# conditional PUT: 32 signet processes signing one digest at once must
# leave 32 signatures in the .sig manifest, and 16 must leave 16 entries
# in the referrers tag index (see registry/merge.c for the protocol).
# Signing again with the same key adds nothing.

t35=$WORK/t35
mkdir -p "$t35"
n_sig=32
n_idx=16
for i in $(seq 1 "$n_sig"); do
	"$SIGNET" keys generate --no-password "$t35/k$i" >/dev/null 2>&1 ||
		fail "t35: keys generate k$i"
done
img=$REG_MAIN/t35/app
dg=$(push_image "$img:1" t35) || fail "t35: push"

# all at once, in the cosign .sig form
pids=()
for i in $(seq 1 "$n_sig"); do
	timeout 120 "$SIGNET" sign --key "$t35/k$i.key" "$img@$dg" \
		>"$t35/out.$i" 2>"$t35/err.$i" &
	pids+=($!)
done
failed=0
for p in "${pids[@]}"; do wait "$p" || failed=$((failed + 1)); done
check "32 concurrent signers all succeed" -- [ "$failed" = 0 ]
cat "$t35"/err.* >>"$CAPTURED"

expect_exit 0 "list after concurrent signing" -- "$SIGNET" list "$img@$dg"
check "the .sig manifest holds 32 signatures" -- \
	[ "$(grep -c . "$LAST_OUT")" = "$n_sig" ]
ok=0
for i in $(seq 1 "$n_sig"); do
	"$SIGNET" verify --format cosign --key "$t35/k$i.pub" "$img@$dg" \
		>/dev/null 2>&1 && ok=$((ok + 1))
done
check "every one of the 32 keys verifies" -- [ "$ok" = "$n_sig" ]

# signing again with the same key adds nothing
expect_exit 0 "signing again with the same key" -- \
	"$SIGNET" sign --key "$t35/k1.key" "$img@$dg"
expect_stderr_match "already carries this signature" \
	"signing again says the signature is there"
expect_exit 0 "list after signing again" -- "$SIGNET" list "$img@$dg"
check "still 32 signatures" -- [ "$(grep -c . "$LAST_OUT")" = "$n_sig" ]

# the referrers tag index, with sigstore bundles
dg2=$(push_image "$img:2" t35-bundle) || fail "t35: push 2"
pids=()
for i in $(seq 1 "$n_idx"); do
	timeout 120 "$SIGNET" sign --format sigstore-bundle \
		--key "$t35/k$i.key" "$img@$dg2" >/dev/null 2>"$t35/berr.$i" &
	pids+=($!)
done
failed=0
for p in "${pids[@]}"; do wait "$p" || failed=$((failed + 1)); done
check "16 concurrent bundle signers all succeed" -- [ "$failed" = 0 ]
cat "$t35"/berr.* >>"$CAPTURED"
entries=$(reg_get_manifest "$REG_MAIN" t35/app "sha256-${dg2#sha256:}" |
	jq '.manifests | length')
check "the referrers tag index holds 16 entries" -- [ "$entries" = "$n_idx" ]
ok=0
for i in $(seq 1 "$n_idx"); do
	"$SIGNET" verify --format sigstore-bundle --key "$t35/k$i.pub" \
		"$img@$dg2" >/dev/null 2>&1 && ok=$((ok + 1))
done
check "every one of the 16 keys verifies its bundle" -- [ "$ok" = "$n_idx" ]
