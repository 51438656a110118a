# shellcheck shell=bash
# Trust policy (signet-policy(5)): verify without --key, k-of-n thresholds,
# revoked keys, glob scopes and their precedence, reject and
# insecure-accept-anything, annotations and formats per rule, discovery,
# policy check and policy show. Sourced by run.sh.

T50=$WORK/t50
P50=$T50/pol		# the policy's folder; key files are relative to it
mkdir -p "$P50/keys"
R50=$REG_MAIN/t50
POL=$P50/policy.json
# Nothing from the caller's environment chooses the policy.
unset SIGNET_POLICY XDG_CONFIG_HOME

# A third key, C, beside the shared A and B.
KEY_C=$T50/c
run_cmd "$SIGNET" keys generate "$KEY_C"
[ "$LAST_RC" = 0 ] || { fail "t50: keys generate C"; last_detail; }
cp "$KEY_A.pub" "$P50/keys/alice.pub"
cp "$KEY_A.pub" "$P50/keys/alice-again.pub"	# one key, two names
cp "$KEY_B.pub" "$P50/keys/bob.pub"
cp "$KEY_C.pub" "$P50/keys/carol.pub"
cp -r "$P50/keys" "$T50/"	# for the policies written straight into $T50

# t50_keys [BOB_REVOKED_JSON]: the "keys" object, bob optionally revoked.
t50_keys() {
	local rev=${1:+,\"revoked\":$1}
	printf '"keys":{"alice":{"public-key":"keys/alice.pub"},'
	printf '"alice-again":{"public-key":"keys/alice-again.pub"},'
	printf '"bob":{"public-key":"keys/bob.pub"%s},' "$rev"
	printf '"carol":{"public-key":"keys/carol.pub"}}'
}

cat >"$POL" <<EOF
{
  "version": 1,
  "comment": "t50 main policy",
  $(t50_keys),
  "rules": [
    { "scope": "$R50/prod/*", "keys": ["alice", "bob", "carol"],
      "threshold": 2 },
    { "scope": "$R50/alias/*", "keys": ["alice", "alice-again", "bob"],
      "threshold": 2 },
    { "scope": "$R50/glob/**", "keys": ["carol"] },
    { "scope": "$R50/glob/app", "keys": ["alice"] },
    { "scope": "*/t50/glob/*", "keys": ["bob"] },
    { "scope": "$R50/ann/*", "keys": ["alice"],
      "annotations": { "env": "prod" } },
    { "scope": "$R50/bundle/*", "keys": ["alice"],
      "formats": ["sigstore-bundle"] },
    { "scope": "$R50/bad/**", "reject": true },
    { "scope": "$R50/open/*", "insecure-accept-anything": true }
  ]
}
EOF

# t50_rev_policy OUT REVOKED_JSON: prod needs 2 of alice, bob, carol; bob
# revoked as given.
t50_rev_policy() {
	printf '{"version":1,%s,"rules":[{"scope":"%s/prod/*","keys":["alice","bob","carol"],"threshold":2}]}\n' \
		"$(t50_keys "$2")" "$R50" >"$1"
}

# t50_copy_sigs SRC DST DIGEST: copy an image's .sig manifest and its
# blobs from repository SRC to DST (names below the registry).
t50_copy_sigs() {
	local m=$T50/copy.json tag d
	tag=$(sig_tag "$3")
	reg_get_manifest "$REG_MAIN" "$1" "$tag" >"$m" || return 1
	for d in $(jq -r '.config.digest, .layers[].digest' "$m"); do
		reg_get_blob "$REG_MAIN" "$1" "$d" >"$T50/blob" || return 1
		reg_put_blob "$REG_MAIN" "$2" "$T50/blob" >/dev/null || return 1
	done
	reg_put_manifest "$REG_MAIN" "$2" "$tag" "$m" >/dev/null
}

# t50_sign KEY REF [ARGS...]: sign quietly; a failure is a test failure.
t50_sign() {
	local key=$1 ref=$2
	shift 2
	run_cmd "$SIGNET" sign --key "$key.key" "$@" "$ref"
	[ "$LAST_RC" = 0 ] || { fail "t50: sign $ref with ${key##*/}"; last_detail; }
}

# No request at all: SIGNET_DEBUG traces each one as "METHOD URL -> CODE".
t50_no_request() {
	expect_stderr_nomatch ' -> ' "$1"
}

t50_threshold() {
	local d1 d2 dc j out
	d2=$(push_image "$R50/prod/two:v1" t50-two) || { fail "push"; return; }
	d1=$(push_image "$R50/prod/one:v1" t50-one) || { fail "push"; return; }
	dc=$(push_image "$R50/prod/copy:v1" t50-two) || { fail "push"; return; }
	t50_sign "$KEY_A" "$R50/prod/two@$d2"
	t50_sign "$KEY_B" "$R50/prod/two@$d2"
	t50_sign "$KEY_A" "$R50/prod/one@$d1"

	expect_exit 0 "policy: 2-of-3 met (A, B)" -- \
		"$SIGNET" verify --policy "$POL" "$R50/prod/two:v1"
	expect_stdout_eq "$R50/prod/two@$d2" "policy: verify prints the pinned reference"
	expect_exit 1 "policy: 2-of-3 not met (A only)" -- \
		"$SIGNET" verify --policy "$POL" "$R50/prod/one:v1"
	expect_error_message "policy: threshold failure says why" \
		'rules\[0\].*needs signatures by 2 distinct trusted keys, 1 counted'
	check "policy: nothing printed on stdout when refused" -- test ! -s "$LAST_OUT" >/dev/null
	expect_exit 1 "policy: one good and one refused image exits 1" -- \
		"$SIGNET" verify --policy "$POL" "$R50/prod/two@$d2" "$R50/prod/one@$d1"
	expect_stdout_eq "$R50/prod/two@$d2" "policy: only the trusted image is printed"
	# several at once under the policy (one policy, shared by the
	# workers): the same as one after the other, text and --json
	for j in "" --json; do
		expect_exit 1 "policy: four images at once ${j:-as text} exit 1" -- \
			"$SIGNET" verify $j --policy "$POL" "$R50/prod/one@$d1" \
			"$R50/prod/two@$d2" "$R50/prod/one:v1" "$R50/prod/two:v1"
		out=$(cat "$LAST_OUT" "$LAST_ERR")
		expect_exit 1 "policy: the four with --jobs 1 ${j:-as text}" -- \
			"$SIGNET" verify $j --jobs 1 --policy "$POL" \
			"$R50/prod/one@$d1" "$R50/prod/two@$d2" "$R50/prod/one:v1" \
			"$R50/prod/two:v1"
		check "policy: four at once ${j:-as text} print as --jobs 1" -- \
			test "$out" = "$(cat "$LAST_OUT" "$LAST_ERR")"
	done

	# forgery: A's and B's signatures copied to another repository with
	# the same content do not count there (they name prod/two)
	check "t50: copy signatures to prod/copy" -- \
		t50_copy_sigs t50/prod/two t50/prod/copy "$d2"
	check "t50: same digest in both repositories" -- test "$dc" = "$d2"
	expect_exit 1 "policy: copied signatures do not count" -- \
		"$SIGNET" verify --policy "$POL" "$R50/prod/copy@$dc"
	"$SIGNET" verify --policy "$POL" "$R50/prod/copy@$dc" >/dev/null 2>&1 &&
		fail "policy: forgery accepted"

	# signatures by a key the rule does not list: never counted
	t50_sign "$KEY_C" "$R50/prod/one@$d1"
	expect_exit 0 "policy: A and C make 2 of 3" -- \
		"$SIGNET" verify --policy "$POL" "$R50/prod/one@$d1"

	# --json: the rule, and per signature whether it counted
	expect_exit 0 "policy: verify --json" -- \
		"$SIGNET" verify --json --policy "$POL" "$R50/prod/two@$d2"
	check "policy --json: names the rule" -- jq -e --arg s "$R50/prod/*" \
		'.[0].rule.index == 0 and .[0].rule.scope == $s and
		 .[0].rule.threshold == 2 and .[0].rule.action == "signed" and
		 .[0].verified == true and .[0].counted == 2' "$LAST_OUT" >/dev/null
	check "policy --json: both signatures counted, by name" -- jq -e \
		'[.[0].signatures[] | select(.counted) | .keyName] | sort ==
		 ["alice", "bob"]' "$LAST_OUT" >/dev/null
	expect_exit 1 "policy: verify --json, not met" -- \
		"$SIGNET" verify --json --policy "$POL" "$R50/prod/copy@$dc"
	check "policy --json: says why each signature did not count" -- jq -e \
		'.[0].verified == false and .[0].counted == 0 and
		 (.[0].error | length > 0) and
		 all(.[0].signatures[]; .counted == false and
		     (.whyNotCounted | test("repository")))' "$LAST_OUT" >/dev/null
}

t50_alias() {
	local d
	d=$(push_image "$R50/alias/app:v1" t50-alias) || { fail "push"; return; }
	t50_sign "$KEY_A" "$R50/alias/app@$d" -a n=1
	t50_sign "$KEY_A" "$R50/alias/app@$d" -a n=2
	expect_exit 1 "policy: one key under two names counts once" -- \
		"$SIGNET" verify --json --policy "$POL" "$R50/alias/app@$d"
	check "policy --json: second signature by the same key not counted" -- \
		jq -e '.[0].counted == 1 and
		 ([.[0].signatures[] | select(.counted | not) |
		   .whyNotCounted | test("already counted")] == [true])' \
		"$LAST_OUT" >/dev/null
	t50_sign "$KEY_B" "$R50/alias/app@$d"
	expect_exit 0 "policy: then B makes two distinct keys" -- \
		"$SIGNET" verify --policy "$POL" "$R50/alias/app@$d"
}

t50_revoked() {
	local d pr=$T50/rev.json
	d=$(push_image "$R50/prod/rev:v1" t50-rev) || { fail "push"; return; }
	t50_sign "$KEY_A" "$R50/prod/rev@$d"
	t50_sign "$KEY_B" "$R50/prod/rev@$d"

	t50_rev_policy "$pr" false
	expect_exit 0 "policy: A and B, nobody revoked" -- \
		"$SIGNET" verify --policy "$pr" "$R50/prod/rev@$d"
	t50_rev_policy "$pr" true
	expect_exit 1 "policy: B revoked, A alone is not 2" -- \
		"$SIGNET" verify --json --policy "$pr" "$R50/prod/rev@$d"
	check "policy --json: B's signature not counted: revoked" -- jq -e \
		'[.[0].signatures[] | select(.keyName == "bob") |
		  .whyNotCounted] == ["key '"'bob'"' is revoked"]' "$LAST_OUT" >/dev/null
	t50_rev_policy "$pr" '"2000-01-01T00:00:00Z"'
	expect_exit 1 "policy: B revoked since 2000" -- \
		"$SIGNET" verify --policy "$pr" "$R50/prod/rev@$d"
	expect_error_message "policy: says B is revoked since when" \
		"revoked since 2000-01-01T00:00:00Z"
	t50_rev_policy "$pr" '"2999-01-01T00:00:00+02:00"'
	expect_exit 0 "policy: B to be revoked in 2999 still counts" -- \
		"$SIGNET" verify --policy "$pr" "$R50/prod/rev@$d"
	expect_exit 0 "policy show: a revocation to come" -- \
		"$SIGNET" policy show --policy "$pr" "$R50/prod/rev"
	expect_stdout_match 'bob.*to be revoked at 2998-12-31T22:00:00Z' \
		"policy show: the revocation time, in UTC"
	t50_rev_policy "$pr" '"yesterday"'
	expect_exit 2 "policy: a revocation time that is not RFC 3339" -- \
		"$SIGNET" verify --policy "$pr" "$R50/prod/rev@$d"
	expect_error_message "policy: bad time named by its JSON path" \
		'\.keys\.bob\.revoked: .yesterday. is not an RFC 3339 time'
}

t50_globs() {
	local da dother dc
	da=$(push_image "$R50/glob/app:v1" t50-glob-app) || { fail "push"; return; }
	dother=$(push_image "$R50/glob/other:v1" t50-glob-other) || { fail "push"; return; }
	dc=$(push_image "$R50/glob/deep/er:v1" t50-glob-deep) || { fail "push"; return; }
	t50_sign "$KEY_A" "$R50/glob/app@$da"
	t50_sign "$KEY_B" "$R50/glob/other@$dother"
	t50_sign "$KEY_C" "$R50/glob/deep/er@$dc"

	expect_exit 0 "policy: exact scope beats the globs (A for glob/app)" -- \
		"$SIGNET" verify --policy "$POL" "$R50/glob/app@$da"
	expect_exit 1 "policy: more literal characters win (REG/t50/glob/** wants C, not B)" -- \
		"$SIGNET" verify --policy "$POL" "$R50/glob/other@$dother"
	expect_error_message "policy: names the winning rule" "rules\[2\]"
	t50_sign "$KEY_C" "$R50/glob/other@$dother"
	expect_exit 0 "policy: and with C it verifies" -- \
		"$SIGNET" verify --policy "$POL" "$R50/glob/other@$dother"
	expect_exit 0 "policy: '**' spans components (glob/deep/er)" -- \
		"$SIGNET" verify --policy "$POL" "$R50/glob/deep/er@$dc"

	expect_exit 0 "policy show: three images, no network" -- env SIGNET_DEBUG=1 \
		"$SIGNET" policy show --policy "$POL" "$R50/glob/app:v1" \
		"$R50/glob/other" "$R50/glob/deep/er"
	t50_no_request "policy show sends no request"
	check "policy show: glob/app -> rules[3], glob/other -> rules[2]" -- \
		grep -Fxq "  rule:        rules[3] '$R50/glob/app'" "$LAST_OUT" >/dev/null
	check "policy show: glob/other -> rules[2]" -- \
		test "$(grep -c "rules\[2\] '$R50/glob/\*\*'" "$LAST_OUT")" = 2
	expect_stdout_match '^  requires:    signatures by 1 distinct key of 1$' \
		"policy show: what the rule requires"
	expect_stdout_match '^  key:         carol, ecdsa-p256 SHA256:[0-9a-f]{64}$' \
		"policy show: the key's name, type and fingerprint"
	expect_exit 0 "policy show: threshold rule" -- \
		"$SIGNET" policy show --policy "$POL" "$R50/prod/x"
	expect_stdout_match 'signatures by 2 distinct keys of 3' "policy show: 2 of 3"
	expect_stdout_match '^  formats:     cosign, sigstore-bundle, notation$' \
		"policy show: formats accepted"
}

t50_reject_accept() {
	local db dopen dn
	db=$(push_image "$R50/bad/x/app:v1" t50-bad) || { fail "push"; return; }
	dopen=$(push_image "$R50/open/app:v1" t50-open) || { fail "push"; return; }
	dn=$(push_image "$R50/nomatch/app:v1" t50-nomatch) || { fail "push"; return; }
	t50_sign "$KEY_A" "$R50/bad/x/app@$db"
	t50_sign "$KEY_A" "$R50/nomatch/app@$dn"

	expect_exit 1 "policy: a reject scope refuses even a signed image" -- \
		env SIGNET_DEBUG=1 "$SIGNET" verify --policy "$POL" "$R50/bad/x/app@$db"
	expect_error_message "policy: reject names rule and scope" \
		"rules\\[7\\] \\(scope '$R50/bad/\\*\\*'\\) rejects"
	t50_no_request "policy: a rejected image is not fetched"
	expect_exit 0 "policy: insecure-accept-anything takes an unsigned image" -- \
		"$SIGNET" verify --policy "$POL" "$R50/open/app:v1"
	expect_stdout_eq "$R50/open/app@$dopen" "policy: accepted image printed pinned"
	expect_stderr_match 'warning: .*accepted without checking signatures' \
		"policy: insecure-accept-anything warns"
	expect_exit 1 "policy: an image no rule matches is rejected" -- \
		env SIGNET_DEBUG=1 "$SIGNET" verify --policy "$POL" "$R50/nomatch/app@$dn"
	expect_error_message "policy: unmatched says so" "no rule of policy .* matches '$R50/nomatch/app'"
	t50_no_request "policy: an unmatched image is not fetched"
	expect_exit 1 "policy --json: reject" -- \
		"$SIGNET" verify --json --policy "$POL" "$R50/bad/x/app:v1" "$R50/nomatch/app:v1"
	check "policy --json: reject rule and unmatched null rule" -- jq -e \
		'.[0].rule.action == "reject" and .[0].verified == false and
		 .[1].rule == null and .[1].verified == false' "$LAST_OUT" >/dev/null
	expect_exit 0 "policy show: reject, accept, none" -- \
		"$SIGNET" policy show --policy "$POL" "$R50/bad/x/app" \
		"$R50/open/app" "$R50/nomatch/app"
	expect_stdout_match 'nothing: rejected \(reject\)' "policy show: reject"
	expect_stdout_match 'accepted without checking signatures' "policy show: accept anything"
	expect_stdout_match '^  rule:        none matches: rejected$' "policy show: unmatched"
}

t50_annotations_formats() {
	local dy dn dd db
	dy=$(push_image "$R50/ann/yes:v1" t50-ann-yes) || { fail "push"; return; }
	dn=$(push_image "$R50/ann/no:v1" t50-ann-no) || { fail "push"; return; }
	dd=$(push_image "$R50/ann/dev:v1" t50-ann-dev) || { fail "push"; return; }
	t50_sign "$KEY_A" "$R50/ann/yes@$dy" -a env=prod
	t50_sign "$KEY_A" "$R50/ann/no@$dn"
	t50_sign "$KEY_A" "$R50/ann/dev@$dd" -a env=dev
	expect_exit 0 "policy: required annotation present" -- \
		"$SIGNET" verify --policy "$POL" "$R50/ann/yes@$dy"
	expect_exit 1 "policy: required annotation missing" -- \
		"$SIGNET" verify --policy "$POL" "$R50/ann/no@$dn"
	expect_error_message "policy: names the missing annotation" "annotation 'env'"
	expect_exit 1 "policy: required annotation different" -- \
		"$SIGNET" verify --policy "$POL" "$R50/ann/dev@$dd"

	db=$(push_image "$R50/bundle/app:v1" t50-bundle) || { fail "push"; return; }
	t50_sign "$KEY_A" "$R50/bundle/app@$db"
	# only the formats a rule accepts are fetched and parsed at all
	expect_exit 1 "policy: a format the rule does not accept" -- \
		"$SIGNET" verify --policy "$POL" "$R50/bundle/app@$db"
	expect_error_message "policy: says which formats were looked for" \
		'no signatures found in the formats the rule accepts \(sigstore-bundle\)'
	t50_sign "$KEY_A" "$R50/bundle/app@$db" --format sigstore-bundle
	expect_exit 0 "policy: the format the rule accepts" -- \
		"$SIGNET" verify --policy "$POL" "$R50/bundle/app@$db"
}

t50_discovery() {
	local d xdg=$T50/xdg bad=$T50/missing-key.json
	d=$(push_image "$R50/prod/disc:v1" t50-disc) || { fail "push"; return; }
	t50_sign "$KEY_A" "$R50/prod/disc@$d"
	t50_sign "$KEY_C" "$R50/prod/disc@$d"

	expect_exit 0 "policy: SIGNET_POLICY" -- \
		env SIGNET_POLICY="$POL" "$SIGNET" verify "$R50/prod/disc@$d"
	expect_stdout_eq "$R50/prod/disc@$d" "policy: SIGNET_POLICY verify prints the reference"
	expect_exit 2 "policy: SIGNET_POLICY naming no file" -- \
		env SIGNET_POLICY="$T50/nope.json" "$SIGNET" verify "$R50/prod/disc@$d"
	expect_error_message "policy: says which policy cannot be read" \
		"cannot read policy '$T50/nope.json'"
	expect_exit 0 "policy: --policy wins over SIGNET_POLICY" -- \
		env SIGNET_POLICY="$T50/nope.json" "$SIGNET" verify --policy "$POL" \
		"$R50/prod/disc@$d"
	mkdir -p "$xdg/signet"
	sed "s#\"keys/#\"$P50/keys/#g" "$POL" >"$xdg/signet/policy.json"
	expect_exit 0 "policy: \$XDG_CONFIG_HOME/signet/policy.json" -- \
		env XDG_CONFIG_HOME="$xdg" "$SIGNET" verify "$R50/prod/disc@$d"
	mkdir -p "$TEST_HOME/.config/signet"
	cp "$xdg/signet/policy.json" "$TEST_HOME/.config/signet/policy.json"
	expect_exit 0 "policy: ~/.config/signet/policy.json" -- \
		"$SIGNET" verify "$R50/prod/disc@$d"
	expect_exit 0 "policy check: the discovered file" -- "$SIGNET" policy check
	expect_stdout_match "^$TEST_HOME/.config/signet/policy.json: ok" \
		"policy check: names the file it checked"
	rm -f "$TEST_HOME/.config/signet/policy.json"
	if [ -e /etc/signet/policy.json ]; then
		log "t50: /etc/signet/policy.json exists; skipping the no-policy case"
	else
		expect_exit 2 "policy: verify without --key and without a policy" -- \
			"$SIGNET" verify "$R50/prod/disc@$d"
		expect_error_message "policy: no policy says what to do" \
			"no trust policy: give --key FILE.*signet-policy\\(5\\)"
	fi
	expect_exit 0 "policy: --key still works without a policy" -- \
		"$SIGNET" verify --key "$KEY_A.pub" "$R50/prod/disc@$d"
	expect_exit 2 "policy: --key and --policy together" -- \
		"$SIGNET" verify --key "$KEY_A.pub" --policy "$POL" "$R50/prod/disc@$d"
	expect_error_message "policy: --key with --policy is a usage error" "not both"
	expect_exit 2 "policy: -a without --key" -- \
		"$SIGNET" verify --policy "$POL" -a env=prod "$R50/prod/disc@$d"
	expect_exit 2 "policy: list --policy" -- \
		"$SIGNET" list --policy "$POL" "$R50/prod/disc@$d"

	# a policy naming a missing key: exit 2 before any request
	sed 's#keys/carol.pub#keys/nobody.pub#' "$POL" >"$bad"
	expect_exit 2 "policy: a missing key file" -- \
		env SIGNET_DEBUG=1 "$SIGNET" verify --policy "$bad" "$R50/prod/disc@$d"
	expect_error_message "policy: the missing key file is named" \
		"\\.keys\\.carol\\.public-key: cannot use '$T50/keys/nobody.pub': No such file"
	t50_no_request "policy: nothing fetched with a broken policy"
}

t50_check() {
	local f=$T50/chk
	mkdir -p "$f"
	cp -r "$P50/keys" "$f/"
	expect_exit 0 "policy check: a good policy" -- "$SIGNET" policy check "$POL"
	expect_stdout_eq "$POL: ok: 4 keys, 9 rules, 3 warnings" \
		"policy check: ok, with counts"
	# */t50/glob/* trusts bob for what rules 2 and 3 give carol and
	# alice, under another name of the registry (issue 14)
	expect_stderr_match "warning: .*rules\[4\]: scope '\*/t50/glob/\*' trusts other keys.*\(and 1 more\)" \
		"policy check: warns of the catch-all beside host rules"
	expect_stderr_match "warning: .*alice-again.*same key as 'alice'" \
		"policy check: warns that two names are one key"

	printf '{"version":1,%s,"rules":[{"scope":"r/a","keys":["alice"],"treshold":1}]}' \
		"$(t50_keys)" >"$f/unknown.json"
	expect_exit 2 "policy check: unknown field" -- "$SIGNET" policy check "$f/unknown.json"
	expect_error_message "policy check: names the unknown field" \
		'\.rules\[0\]\.treshold: unknown field'
	printf '{"version":1,"keys":{"alice":{"public-key":"keys/alice.pub"},\n"alice":{"public-key":"keys/bob.pub"}},"rules":[]}' \
		>"$f/dup.json"
	expect_exit 2 "policy check: duplicate key" -- "$SIGNET" policy check "$f/dup.json"
	expect_error_message "policy check: names the duplicate" \
		'\.keys\.alice: duplicate key \(line 2\)'
	printf '{"version":1,%s,"rules":[{"scope":"r/a","keys":"alice"}]}' \
		"$(t50_keys)" >"$f/type.json"
	expect_exit 2 "policy check: wrong type" -- "$SIGNET" policy check "$f/type.json"
	expect_error_message "policy check: names the mistyped field" \
		'\.rules\[0\]\.keys: expected a non-empty array'
	ln -s alice.pub "$f/keys/link.pub"
	sed 's#keys/bob.pub#keys/link.pub#' "$POL" >"$f/link.json"
	expect_exit 2 "policy check: symlinked key file" -- "$SIGNET" policy check "$f/link.json"
	expect_error_message "policy check: refuses the link" \
		"\\.keys\\.bob\\.public-key: '$f/keys/link.pub' is a symbolic link"
	if [ "$(id -u)" != 0 ]; then
		cp "$f/keys/alice.pub" "$f/keys/secret.pub"
		chmod 000 "$f/keys/secret.pub"
		sed 's#keys/bob.pub#keys/secret.pub#' "$POL" >"$f/unread.json"
		expect_exit 2 "policy check: unreadable key file" -- \
			"$SIGNET" policy check "$f/unread.json"
		expect_error_message "policy check: says it cannot read it" "cannot read"
	fi
	sed 's#keys/bob.pub#keys/nobody.pub#' "$POL" >"$f/missing.json"
	expect_exit 2 "policy check: missing key file" -- "$SIGNET" policy check "$f/missing.json"
	expect_error_message "policy check: names the missing file" "nobody.pub"
	printf '{"version":1,%s,"rules":[{"scope":"r/a","keys":["alice"]},{"scope":"r/a","reject":true}]}' \
		"$(t50_keys)" >"$f/same.json"
	expect_exit 2 "policy check: identical scopes" -- "$SIGNET" policy check "$f/same.json"
	expect_error_message "policy check: says which rules clash" \
		"\\.rules\\[1\\]: same scope 'r/a' as \\.rules\\[0\\]"
	printf '{"version":1,%s,"rules":[{"scope":"r/a*/x","keys":["alice"]},{"scope":"r/*a/x","keys":["bob"]}]}' \
		"$(t50_keys)" >"$f/overlap.json"
	expect_exit 0 "policy check: ambiguous overlap is a warning" -- \
		"$SIGNET" policy check "$f/overlap.json"
	expect_stderr_match "warning: .*\\.rules\\[1\\]: scope 'r/\\*a/x' overlaps 'r/a\\*/x' of \\.rules\\[0\\] with equal specificity" \
		"policy check: the overlap warning names both rules"
	printf '{"version":1,"rules":[{"scope":"r/a","keys":["alice"],"threshold":2}],%s}' \
		"$(t50_keys)" >"$f/high.json"
	expect_exit 2 "policy check: threshold above the keys" -- \
		"$SIGNET" policy check "$f/high.json"
	expect_error_message "policy check: says the threshold cannot be met" \
		'threshold: 2, but the rule trusts only 1 distinct key'
	expect_exit 2 "policy check: no such file" -- "$SIGNET" policy check "$f/none.json"
	expect_error_message "policy check: names the file" "none.json"
	expect_exit 2 "policy: unknown subcommand" -- "$SIGNET" policy frobnicate
	expect_error_message "policy: unknown subcommand is named" "frobnicate"
}

t50_threshold
t50_alias
t50_revoked
t50_globs
t50_reject_accept
t50_annotations_formats
t50_discovery
t50_check

# A rule on a certificate's subject: the notation signature counts only
# when the leaf certificate carries every field the rule names.
t50_subject() {
	local d=$T50/subj img dg
	mkdir -p "$d/keys"
	run_cmd "$SIGNET" keys generate --x509 \
		--subject "C=US,O=Example,CN=release" "$d/rel"
	[ "$LAST_RC" = 0 ] || { fail "t50: keys generate --x509"; return; }
	cp "$d/rel.crt" "$d/keys/rel.crt"
	img=$R50/subj/app
	dg=$(push_image "$img:1" t50-subject) || { fail "t50: push"; return; }
	expect_exit 0 "subject: notation signature made" -- "$SIGNET" sign \
		--format notation --key "$d/rel.key" --cert "$d/rel.crt" "$img@$dg"
	printf '{"version":1,"keys":{"rel":{"certificate":"keys/rel.crt"}},"rules":[{"scope":"%s/subj/*","keys":["rel"],"formats":["notation"],"subject":{"O":"Example","CN":"release"}}]}\n' \
		"$R50" >"$d/ok.json"
	expect_exit 0 "subject: fields present on the leaf -> verified" -- \
		"$SIGNET" verify --policy "$d/ok.json" "$img@$dg"
	printf '{"version":1,"keys":{"rel":{"certificate":"keys/rel.crt"}},"rules":[{"scope":"%s/subj/*","keys":["rel"],"formats":["notation"],"subject":{"CN":"someone-else"}}]}\n' \
		"$R50" >"$d/other.json"
	expect_exit 1 "subject: another CN required -> refused" -- \
		"$SIGNET" verify --policy "$d/other.json" "$img@$dg"
	expect_stderr_match "CN=someone-else" "subject: the refusal names the field"
}
t50_subject

# A revoked certificate anywhere in a notation signature's chain refuses
# the signature, whatever the order of the policy's keys: a leaf issued
# by a trusted root, the leaf revoked (issue 14).
t50_chain_revoked() {
	local d=$T50/chainrev img dg rev
	mkdir -p "$d/keys"
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$d/root.pem" \
		-out "$d/keys/root.crt" -days 2 -subj "/CN=t50 corp root" \
		-addext "basicConstraints=critical,CA:TRUE" \
		-addext "keyUsage=critical,keyCertSign" >/dev/null 2>&1 &&
	printf '%s\n' "basicConstraints=critical,CA:FALSE" \
		"keyUsage=critical,digitalSignature" \
		"extendedKeyUsage=codeSigning" >"$d/leaf.ext" &&
	openssl req -new -newkey rsa:2048 -nodes -keyout "$d/leaf.pem" \
		-out "$d/leaf.csr" -subj "/CN=t50 mallory" >/dev/null 2>&1 &&
	openssl x509 -req -in "$d/leaf.csr" -CA "$d/keys/root.crt" \
		-CAkey "$d/root.pem" -CAcreateserial -days 2 \
		-extfile "$d/leaf.ext" -out "$d/keys/leaf.crt" >/dev/null 2>&1 ||
		{ fail "t50: openssl root and leaf"; return; }
	cat "$d/keys/leaf.crt" "$d/keys/root.crt" >"$d/chain.crt"
	img=$R50/chainrev/app
	dg=$(push_image "$img:1" t50-chainrev) || { fail "t50: push"; return; }
	expect_exit 0 "chain: notation signature by the leaf made" -- \
		"$SIGNET" sign --format notation --key "$d/leaf.pem" \
		--cert "$d/chain.crt" "$img@$dg"
	rev='"mallory-leaf":{"certificate":"keys/leaf.crt","revoked":true}'
	printf '{"version":1,"keys":{"corp-root":{"certificate":"keys/root.crt"},%s},"rules":[{"scope":"%s/chainrev/*","keys":["corp-root"]}]}\n' \
		"$rev" "$R50" >"$d/root-first.json"
	printf '{"version":1,"keys":{%s,"corp-root":{"certificate":"keys/root.crt"}},"rules":[{"scope":"%s/chainrev/*","keys":["corp-root"]}]}\n' \
		"$rev" "$R50" >"$d/leaf-first.json"
	expect_exit 1 "chain: revoked leaf, root listed first -> refused" -- \
		"$SIGNET" verify --policy "$d/root-first.json" "$img@$dg"
	expect_error_message "chain: root first: names the revocation" \
		"'mallory-leaf' is revoked"
	expect_exit 1 "chain: revoked leaf, leaf listed first -> refused" -- \
		"$SIGNET" verify --policy "$d/leaf-first.json" "$img@$dg"
	expect_error_message "chain: leaf first: names the revocation" \
		"'mallory-leaf' is revoked"
	rev='"mallory-leaf":{"certificate":"keys/leaf.crt","revoked":"2999-01-01T00:00:00Z"}'
	printf '{"version":1,"keys":{"corp-root":{"certificate":"keys/root.crt"},%s},"rules":[{"scope":"%s/chainrev/*","keys":["corp-root"]}]}\n' \
		"$rev" "$R50" >"$d/later.json"
	expect_exit 0 "chain: leaf to be revoked in 2999 still counts" -- \
		"$SIGNET" verify --policy "$d/later.json" "$img@$dg"
	expect_exit 0 "chain: policy check of a revoked leaf under a trusted root" -- \
		"$SIGNET" policy check "$d/root-first.json"
	expect_stderr_match "warning: .*mallory-leaf.*revoked.*corp-root" \
		"chain: policy check says the leaf is revoked under the root"
	printf '{"version":1,"keys":{"corp-root":{"certificate":"keys/root.crt"},"old-root":{"certificate":"keys/root.crt","revoked":true}},"rules":[{"scope":"%s/chainrev/*","keys":["corp-root"]}]}\n' \
		"$R50" >"$d/alias.json"
	expect_exit 1 "chain: the trusted root revoked under another name -> refused" -- \
		"$SIGNET" verify --policy "$d/alias.json" "$img@$dg"
	expect_error_message "chain: alias: names the revocation" \
		"'old-root' is revoked"
	expect_exit 0 "chain: policy check of a trusted root revoked under another name" -- \
		"$SIGNET" policy check "$d/alias.json"
	expect_stderr_match "warning: .*old-root.*revoked.*same certificate as 'corp-root'" \
		"chain: policy check says the root is revoked under another name"
}
t50_chain_revoked
