# shellcheck shell=bash
# Keyless signers in the trust policy (issue 12, signet-policy(5) "Keyless
# signers"): entries of "keys" naming a Fulcio certificate's identity and
# issuer, exact or by a regexp over the whole string, anchored in one
# trusted root per policy (the entry's, the policy's, $SIGNET_TRUSTED_ROOT,
# or the built-in one). policy check and policy show need no registry;
# verify under such a policy still counts key signatures. Sourced by run.sh.

T58=$WORK/t58
P58=$T58/pol		# the policies' folder; files are relative to it
mkdir -p "$P58/keys" "$P58/roots"
R58=$REG_MAIN/t58
T58_DATA=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/../data/keyless
unset SIGNET_POLICY XDG_CONFIG_HOME SIGNET_TRUSTED_ROOT
cp "$KEY_A.pub" "$P58/keys/alice.pub"
cp "$T58_DATA/staging_trusted_root.json" "$P58/roots/staging.json"
cp "$T58_DATA/production_trusted_root.json" "$P58/roots/production.json"
ln -s staging.json "$P58/roots/link.json"
printf '{"mediaType":"application/vnd.dev.sigstore.trustedroot+json;version=0.1","tlogs":{}}\n' \
	>"$P58/roots/bad.json"

T58_ISS=https://token.actions.githubusercontent.com
T58_WF=https://github.com/org/app/.github/workflows/release.yml

# t58_pol FILE TOP KEYS RULES: write policy $P58/FILE from extra top-level
# members (TOP, "" or ending in ","), the insides of "keys" and of "rules".
t58_pol() {
	printf '{"version":1,%s"keys":{%s},"rules":[%s]}\n' "$2" "$3" "$4" \
		>"$P58/$1"
}

# t58_kl NAME INSIDE [REST]: a keyless entry.
t58_kl() {
	printf '"%s":{"keyless":{%s}%s}' "$1" "$2" "${3:-}"
}

T58_CI=$(t58_kl ci "\"identity\":\"$T58_WF@refs/tags/v1\",\"issuer\":\"$T58_ISS\"")
T58_TAGS=$(t58_kl tags "\"identity-regexp\":\"$T58_WF@refs/tags/v[0-9]+\",\"issuer-regexp\":\"https://token\\\\.actions\\\\.githubusercontent\\\\.com\"" \
	',"revoked":"2026-03-01T00:00:00Z"')
T58_ALICE='"alice":{"public-key":"keys/alice.pub"}'

t58_check() {
	t58_pol ok.json "" "$T58_ALICE,$T58_CI,$T58_TAGS" \
		"{\"scope\":\"$R58/one/*\",\"keys\":[\"ci\",\"tags\"]},{\"scope\":\"$R58/two/*\",\"keys\":[\"alice\",\"ci\"],\"threshold\":2}"
	expect_exit 0 "keyless policy: check" -- \
		"$SIGNET" policy check "$P58/ok.json"
	expect_stdout_eq "$P58/ok.json: ok: 3 keys, 2 rules" \
		"keyless policy: check counts keyless entries as keys"
	check "keyless policy: check has nothing to say" -- test ! -s "$LAST_ERR"

	expect_exit 0 "keyless policy: show, no network" -- env SIGNET_DEBUG=1 \
		"$SIGNET" policy show --policy "$P58/ok.json" "$R58/one/app" "$R58/two/app"
	expect_stderr_nomatch ' -> ' "keyless policy: show sends no request"
	expect_stdout_match "^  keyless:     ci, identity '$T58_WF@refs/tags/v1', issuer '$T58_ISS'\$" \
		"keyless policy: show prints an exact signer"
	expect_stdout_match "^  keyless:     tags, identity matching '.*v\[0-9\]\+', issuer matching 'https://token.*', revoked for signatures made from 2026-03-01T00:00:00Z on\$" \
		"keyless policy: show prints a regexp signer and its revocation"
	expect_stdout_match '^  trusted root: the built-in Sigstore public-good root$' \
		"keyless policy: the built-in trusted root by default"
	expect_stdout_match '^  requires:    signatures by 2 distinct keys of 2$' \
		"keyless policy: a key and a keyless signer in one threshold"

	expect_exit 0 "keyless policy: \$SIGNET_TRUSTED_ROOT" -- \
		env SIGNET_TRUSTED_ROOT="$P58/roots/staging.json" \
		"$SIGNET" policy show --policy "$P58/ok.json" "$R58/one/app"
	expect_stdout_match "^  trusted root: $P58/roots/staging.json \(\\\$SIGNET_TRUSTED_ROOT\)\$" \
		"keyless policy: show names the root from the environment"

	t58_pol top.json '"trusted-root":"roots/staging.json",' "$T58_CI" \
		"{\"scope\":\"$R58/**\",\"keys\":[\"ci\"]}"
	expect_exit 0 "keyless policy: the policy's trusted root" -- \
		env SIGNET_TRUSTED_ROOT="$P58/roots/bad.json" \
		"$SIGNET" policy show --policy "$P58/top.json" "$R58/one/app"
	expect_stdout_match "^  trusted root: $P58/roots/staging.json\$" \
		"keyless policy: the policy's root beats the environment's"

	t58_pol same.json "" "$T58_CI,$(t58_kl ci2 "\"identity\":\"$T58_WF@refs/tags/v1\",\"issuer\":\"$T58_ISS\"" ',"revoked":true')" \
		"{\"scope\":\"$R58/**\",\"keys\":[\"ci\",\"ci2\"]}"
	expect_exit 0 "keyless policy: one signer, two names: valid" -- \
		"$SIGNET" policy check "$P58/same.json"
	expect_stderr_match "warning: .*\.keys\.ci2: 'ci2' names the same keyless signer as 'ci'" \
		"keyless policy: one signer, two names: a warning"
	expect_stderr_match "warning: .*\.rules\[0\]\.keys: 'ci' and 'ci2' are the same keyless signer; they count once" \
		"keyless policy: one signer, two names in a rule: a warning"
	expect_stderr_match "warning: .*\.rules\[0\]\.keys: keyless signer 'ci' is revoked as 'ci2'; no signature matching it counts" \
		"keyless policy: revoked under the other name: a warning"
	expect_stdout_match 'ok: 2 keys, 1 rule, 5 warnings' \
		"keyless policy: the warnings counted"
	expect_exit 0 "keyless policy: show, one signer revoked under another name" -- \
		"$SIGNET" policy show --policy "$P58/same.json" "$R58/one/app"
	expect_stdout_match "^  keyless:     ci, identity '$T58_WF@refs/tags/v1', issuer '$T58_ISS', revoked as ci2\$" \
		"keyless policy: show says the signer is revoked as the other name"

	# entries with trusted roots of their own: one line per root
	t58_pol roots.json "" "$(t58_kl ci "\"identity\":\"$T58_WF@refs/tags/v1\",\"issuer\":\"$T58_ISS\",\"trusted-root\":\"roots/staging.json\""),$(t58_kl ci2 "\"identity\":\"x@example.com\",\"issuer\":\"$T58_ISS\",\"trusted-root\":\"roots/production.json\"")" \
		"{\"scope\":\"$R58/**\",\"keys\":[\"ci\",\"ci2\"]}"
	expect_exit 0 "keyless policy: two trusted roots: valid" -- \
		"$SIGNET" policy check "$P58/roots.json"
	expect_stdout_eq "$P58/roots.json: ok: 2 keys, 1 rule" \
		"keyless policy: two trusted roots: nothing to say"
	expect_exit 0 "keyless policy: two trusted roots: show" -- \
		"$SIGNET" policy show --policy "$P58/roots.json" "$R58/one/app"
	expect_stdout_match "^  trusted root: $P58/roots/staging.json, for ci\$" \
		"keyless policy: two trusted roots: the first, for its entry"
	expect_stdout_match "^  trusted root: $P58/roots/production.json, for ci2\$" \
		"keyless policy: two trusted roots: the second, for its entry"

	t58_pol tlog.json "" "$T58_ALICE" \
		"{\"scope\":\"$R58/**\",\"keys\":[\"alice\"],\"require-tlog\":true}"
	expect_exit 0 "require-tlog: show" -- \
		"$SIGNET" policy show --policy "$P58/tlog.json" "$R58/one/app"
	expect_stdout_match '^  log entry:   required \(require-tlog\)$' \
		"require-tlog: show says a log entry is required"
	expect_stdout_match '^  trusted root: the built-in Sigstore public-good root$' \
		"require-tlog: the trusted root that checks log entries"

	t58_pol glob.json "" "$(t58_kl ci "\"identity\":\"$T58_WF@refs/tags/*\",\"issuer\":\"$T58_ISS\"")" \
		"{\"scope\":\"$R58/**\",\"keys\":[\"ci\"]}"
	expect_exit 0 "keyless policy: a '*' in an exact identity: valid" -- \
		"$SIGNET" policy check "$P58/glob.json"
	expect_stderr_match "warning: .*keyless\.identity: .*is matched exactly, '\*' included; for a pattern write \"identity-regexp\"" \
		"keyless policy: a '*' in an exact identity: a warning"
}

# t58_bad DESC FILE KEYS REGEX [TOP]: policy check refuses it (exit 2),
# naming the JSON path.
t58_bad() {
	t58_pol "$2" "${5:-}" "$3" "{\"scope\":\"$R58/**\",\"keys\":[\"ci\"]}"
	expect_exit 2 "keyless policy refused: $1" -- \
		"$SIGNET" policy check "$P58/$2"
	expect_stderr_match "$4" "keyless policy refused: $1: says where"
}

t58_refused() {
	local id="\"identity\":\"$T58_WF@refs/tags/v1\"" iss="\"issuer\":\"$T58_ISS\""
	t58_bad "regexp does not compile" re.json \
		"$(t58_kl ci "\"identity-regexp\":\"v(1\",$iss")" \
		"\.keys\.ci\.keyless\.identity-regexp: 'v\(1' is not a POSIX extended regular expression"
	# wrapped in ^( )$ it would compile, and match anything
	t58_bad "regexp that escapes its anchors" re3.json \
		"$(t58_kl ci "\"identity-regexp\":\"x)|(.*\",$iss")" \
		"\.keys\.ci\.keyless\.identity-regexp: 'x\)\|\(\.\*' is not a POSIX extended regular expression"
	t58_bad "issuer regexp does not compile" re2.json \
		"$(t58_kl ci "$id,\"issuer-regexp\":\"[a\"")" \
		"\.keys\.ci\.keyless\.issuer-regexp: '\[a' is not a POSIX"
	t58_bad "identity and identity-regexp" both.json \
		"$(t58_kl ci "$id,\"identity-regexp\":\"x\",$iss")" \
		"\.keys\.ci\.keyless: give \"identity\" or \"identity-regexp\", not both"
	t58_bad "no issuer" noiss.json "$(t58_kl ci "$id")" \
		"\.keys\.ci\.keyless: missing \"issuer\" or \"issuer-regexp\""
	t58_bad "unknown field" unknown.json "$(t58_kl ci "$id,$iss,\"subject\":\"x\"")" \
		"\.keys\.ci\.keyless\.subject: unknown field"
	t58_bad "keyless and a public key" two.json \
		"\"ci\":{\"public-key\":\"keys/alice.pub\",\"keyless\":{$id,$iss}}" \
		"\.keys\.ci: give one of \"public-key\", \"certificate\" and \"keyless\""
	t58_bad "trusted root a link" link.json \
		"$(t58_kl ci "$id,$iss,\"trusted-root\":\"roots/link.json\"")" \
		"\.keys\.ci\.keyless\.trusted-root: '.*link\.json' is a symbolic link"
	t58_bad "trusted root missing" missing.json \
		"$(t58_kl ci "$id,$iss,\"trusted-root\":\"roots/none.json\"")" \
		"\.keys\.ci\.keyless\.trusted-root: cannot use '"
	t58_bad "trusted root malformed" badroot.json \
		"$(t58_kl ci "$id,$iss,\"trusted-root\":\"roots/bad.json\"")" \
		"\.keys\.ci\.keyless\.trusted-root: trusted root .*bad\.json"
	t58_bad "the second of two trusted roots malformed" roots.json \
		"$(t58_kl ci "$id,$iss,\"trusted-root\":\"roots/staging.json\""),$(t58_kl ci2 "\"identity\":\"x@example.com\",$iss,\"trusted-root\":\"roots/bad.json\"")" \
		"\.keys\.ci2\.keyless\.trusted-root: trusted root .*bad\.json"
	t58_bad "the policy's trusted root a link" toplink.json "$(t58_kl ci "$id,$iss")" \
		"\.trusted-root: '.*link\.json' is a symbolic link" '"trusted-root":"roots/link.json",'
	t58_pol envbad.json "" "$(t58_kl ci "$id,$iss")" "{\"scope\":\"$R58/**\",\"keys\":[\"ci\"]}"
	expect_exit 2 "keyless policy refused: \$SIGNET_TRUSTED_ROOT malformed" -- \
		env SIGNET_TRUSTED_ROOT="$P58/roots/bad.json" \
		"$SIGNET" policy check "$P58/envbad.json"
	expect_stderr_match "\.keys\.ci\.keyless: trusted root .*bad\.json \(\\\$SIGNET_TRUSTED_ROOT\)" \
		"keyless policy refused: \$SIGNET_TRUSTED_ROOT malformed: says which"
	expect_exit 2 "keyless policy refused: verify does not start" -- \
		env SIGNET_DEBUG=1 "$SIGNET" verify --policy "$P58/re.json" "$R58/one/app:v1"
	expect_stderr_nomatch ' -> ' "keyless policy refused: not one request"
}

# A key signature still counts under a policy with keyless entries; an
# unsigned image is refused (exit 1) with the threshold named; a rule with
# require-tlog refuses a key signature that was never logged.
t58_verify() {
	local d
	d=$(push_image "$R58/one/app:v1" t58-one) || { fail "t58: push"; return; }
	t58_pol mixed.json "" "$T58_ALICE,$T58_CI" \
		"{\"scope\":\"$R58/one/*\",\"keys\":[\"alice\",\"ci\"]},{\"scope\":\"$R58/two/*\",\"keys\":[\"alice\",\"ci\"],\"threshold\":2}"
	expect_exit 1 "keyless policy: an unsigned image is refused" -- \
		"$SIGNET" verify --policy "$P58/mixed.json" "$R58/one/app:v1"
	expect_error_message "keyless policy: the refusal names the rule" \
		'rules\[0\].*needs signatures by 1 distinct trusted key, 0 counted'
	run_cmd "$SIGNET" sign --key "$KEY_A.key" "$R58/one/app@$d"
	[ "$LAST_RC" = 0 ] || { fail "t58: sign"; last_detail; return; }
	expect_exit 0 "keyless policy: a key signature counts" -- \
		"$SIGNET" verify --policy "$P58/mixed.json" "$R58/one/app:v1"
	expect_stdout_eq "$R58/one/app@$d" "keyless policy: the pinned reference"
	d=$(push_image "$R58/two/app:v1" t58-two) || { fail "t58: push"; return; }
	run_cmd "$SIGNET" sign --key "$KEY_A.key" "$R58/two/app@$d"
	[ "$LAST_RC" = 0 ] || { fail "t58: sign"; last_detail; return; }
	expect_exit 1 "keyless policy: a key alone is 1 of 2" -- \
		"$SIGNET" verify --policy "$P58/mixed.json" "$R58/two/app:v1"
	expect_error_message "keyless policy: 1 of 2 counted" \
		'needs signatures by 2 distinct trusted keys, 1 counted'
	# signet sign logs nothing: under require-tlog its signature is refused
	expect_exit 1 "require-tlog: a key signature without a log entry is refused" -- \
		"$SIGNET" verify --policy "$P58/tlog.json" "$R58/one/app:v1"
	expect_error_message "require-tlog: the refusal says why" \
		'(no verified transparency log entry, which the rule requires \(require-tlog\)|a transparency log entry is required.*no Rekor bundle)'
}

t58_check
t58_refused
t58_verify
