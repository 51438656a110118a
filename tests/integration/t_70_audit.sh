# shellcheck shell=bash
# signet audit: a registry of its own, seeded with one image of every kind,
# walked whole. Sourced by run.sh.

T70=$WORK/t70
mkdir -p "$T70"

# t70_push_child HOST REPO SEED: push a one-layer image by digest only (no
# tag), as a platform manifest of an index; echo "DIGEST SIZE".
t70_push_child() {
	local hp=$1 repo=$2 seed=$3 d cdg ldg dg
	d=$(mktemp -d "$T70/child.XXXXXX") || return 1
	printf 'signet audit child %s\n' "$seed" >"$d/layer"
	printf '{"architecture":"%s","os":"linux","rootfs":{"type":"layers","diff_ids":["%s"]}}' \
		"$seed" "$(sha256_file "$d/layer")" >"$d/config.json"
	ldg=$(reg_put_blob "$hp" "$repo" "$d/layer") || return 1
	cdg=$(reg_put_blob "$hp" "$repo" "$d/config.json") || return 1
	printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"%s","size":%s},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"%s","size":%s}]}' \
		"$cdg" "$(stat -c %s "$d/config.json")" "$ldg" \
		"$(stat -c %s "$d/layer")" >"$d/manifest.json"
	dg=$(sha256_file "$d/manifest.json") || return 1
	reg_put_manifest "$hp" "$repo" "$dg" "$d/manifest.json" >/dev/null ||
		return 1
	echo "$dg $(stat -c %s "$d/manifest.json")"
}

# t70_line STATUS IMAGE DIGEST: the table line's first three fields.
t70_line() {
	printf '%s\t%s\t%s\t' "$1" "$2" "$3"
}

# t70_has_line PREFIX: some stdout line of the last command starts so.
t70_has_line() {
	grep -Fq -- "$1" "$LAST_OUT" &&
		[ "$(grep -Fc -- "$1" "$LAST_OUT")" = 1 ]
}

t70_seed() {
	local hp=$1 a b c
	R70=$hp
	D_SIGNED=$(push_image "$hp/app:signed" t70-signed) || return 1
	D_UNSIGNED=$(push_image "$hp/app:unsigned" t70-unsigned) || return 1
	D_WRONG=$(push_image "$hp/app:wrong" t70-wrong) || return 1
	D_COPIED=$(push_image "$hp/app:copied" t70-copied) || return 1
	"$SIGNET" sign --key "$KEY_A.key" "$hp/app@$D_SIGNED" >/dev/null &&
		"$SIGNET" sign --key "$KEY_B.key" "$hp/app@$D_WRONG" \
			>/dev/null || return 1
	# forgery: the signed image's .sig manifest under another image's tag
	reg_get_manifest "$hp" app "$(sig_tag "$D_SIGNED")" >"$T70/sig.json" &&
		reg_put_manifest "$hp" app "$(sig_tag "$D_COPIED")" \
			"$T70/sig.json" >/dev/null || return 1
	# cosign's attachments and the referrers tag index are not images
	for a in "${D_SIGNED#sha256:}.att" "${D_SIGNED#sha256:}.sbom"; do
		push_image "$hp/app:sha256-$a" "t70-$a" >/dev/null || return 1
	done
	echo '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}' \
		>"$T70/referrers.json"
	reg_put_manifest "$hp" app "sha256-${D_UNSIGNED#sha256:}" \
		"$T70/referrers.json" application/vnd.oci.image.index.v1+json \
		>/dev/null || return 1

	# a tag signed, then moved to other content
	D_MOVED_OLD=$(push_image "$hp/moved:v1" t70-moved-1) || return 1
	"$SIGNET" sign --key "$KEY_A.key" "$hp/moved:v1" >/dev/null 2>&1 ||
		return 1
	D_MOVED=$(push_image "$hp/moved:v1" t70-moved-2) || return 1

	# one digest under three tags
	D_SHARED=$(push_image "$hp/team/shared:a" t70-shared) || return 1
	push_image "$hp/team/shared:b" t70-shared >/dev/null &&
		push_image "$hp/team/shared:c" t70-shared >/dev/null || return 1
	"$SIGNET" sign --key "$KEY_A.key" "$hp/team/shared@$D_SHARED" \
		>/dev/null || return 1

	# an index: signed itself, one platform signed, one not
	a=$(t70_push_child "$hp" multi amd64) || return 1
	b=$(t70_push_child "$hp" multi arm64) || return 1
	D_AMD64=${a% *}
	D_ARM64=${b% *}
	printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"%s","size":%s,"platform":{"os":"linux","architecture":"amd64"}},{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"%s","size":%s,"platform":{"os":"linux","architecture":"arm64","variant":"v8"}}]}' \
		"$D_AMD64" "${a#* }" "$D_ARM64" "${b#* }" >"$T70/index.json"
	D_INDEX=$(reg_put_manifest "$hp" multi v1 "$T70/index.json" \
		application/vnd.oci.image.index.v1+json) || return 1
	"$SIGNET" sign --key "$KEY_A.key" "$hp/multi@$D_INDEX" \
		"$hp/multi@$D_AMD64" >/dev/null || return 1

	# a tag whose manifest the registry cannot serve: an error
	D_BROKEN=$(push_image "$hp/broken:ok" t70-broken) || return 1
	c=$REG_AUDIT_ROOT/docker/registry/v2/repositories/broken/_manifests/tags
	mkdir -p "$c/gone/current" &&
		printf 'sha256:%064d' 0 >"$c/gone/current/link"
}

t70_table() {
	local r=$R70 t
	expect_exit 2 "audit: an image in error makes the exit status 2" -- \
		"$SIGNET" audit --key "$KEY_A.pub" "$r"
	check "audit: signed image" -- t70_has_line \
		"$(t70_line signed "$r/app:signed" "$D_SIGNED")"
	check "audit: unsigned image" -- t70_has_line \
		"$(t70_line unsigned "$r/app:unsigned" "$D_UNSIGNED")no signatures"
	check "audit: signed with another key is invalid, with the reason" -- \
		t70_has_line "$(t70_line invalid "$r/app:wrong" "$D_WRONG")1 signature, none valid: signature does not verify with any given key"
	expect_stdout_match "^invalid	$r/app:copied	$D_COPIED	.*payload is for $D_SIGNED" \
		"audit: a signature copied from another image is invalid (forgery)"
	check "audit: a moved tag is judged by its new digest" -- \
		t70_has_line "$(t70_line unsigned "$r/moved:v1" "$D_MOVED")"
	check "audit: the moved tag's old digest is no image of its own" -- \
		not grep -Fq "$D_MOVED_OLD" "$LAST_OUT"
	for t in a b c; do
		check "audit: shared digest under tag $t" -- t70_has_line \
			"$(t70_line signed "$r/team/shared:$t" "$D_SHARED")"
	done
	check "audit: the index itself" -- t70_has_line \
		"$(t70_line signed "$r/multi:v1" "$D_INDEX")"
	check "audit: its signed platform manifest, with the platform" -- \
		t70_has_line "$(t70_line signed "$r/multi@$D_AMD64 (linux/amd64)" "$D_AMD64")"
	check "audit: its unsigned platform manifest, with the platform" -- \
		t70_has_line "$(t70_line unsigned "$r/multi@$D_ARM64 (linux/arm64/v8)" "$D_ARM64")no signatures"
	expect_stdout_match "^error	$r/broken:gone	-	.*manifest" \
		"audit: a tag the registry cannot serve is an error"
	check "audit: the rest of that repository is still audited" -- \
		t70_has_line "$(t70_line unsigned "$r/broken:ok" "$D_BROKEN")"
	check "audit: no signature, attachment or referrers tag is an image" -- \
		not grep -q ':sha256-' "$LAST_OUT"
	check "audit: 13 image lines" -- \
		test "$(grep -c $'^[a-z]*\t' "$LAST_OUT")" = 13
	expect_stdout_match '^13 images in 5 repositories: 6 signed, 4 unsigned, 2 invalid, 1 error; 10 signature tags skipped, 10 manifests verified,' \
		"audit: the totals line counts every category"
	check "audit: no progress line when stderr is no terminal" -- \
		test ! -s "$LAST_ERR"
	sort "$LAST_OUT" | grep -v '^[0-9]' >"$T70/jobs8.txt"
	expect_exit 2 "audit --jobs 1" -- \
		"$SIGNET" audit --jobs 1 --key "$KEY_A.pub" "$r"
	sort "$LAST_OUT" | grep -v '^[0-9]' >"$T70/jobs1.txt"
	check "audit: --jobs 1 and --jobs 8 report the same (sorted)" -- \
		cmp -s "$T70/jobs1.txt" "$T70/jobs8.txt"
}

# t70_jq FILTER: jq -e over the NDJSON stdout of the last command.
t70_jq() {
	jq -e -s "$1" "$LAST_OUT" >/dev/null
}

t70_json() {
	local r=$R70
	expect_exit 2 "audit --json: same exit status" -- \
		"$SIGNET" audit --json --key "$KEY_A.pub" "$r"
	check "audit --json: one JSON object per line" -- \
		jq -e -c . "$LAST_OUT" >/dev/null
	check "audit --json: every line is one object on one line" -- test \
		"$(wc -l <"$LAST_OUT")" = "$(jq -c . "$LAST_OUT" | wc -l)"
	check "audit --json: 13 images, then the totals last" -- t70_jq '
		(map(select(has("status"))) | length) == 13 and
		(last | .totals | .images == 13 and .signed == 6 and
		 .unsigned == 4 and .invalid == 2 and .error == 1 and
		 .repositories == 5 and .skipped == 10 and .complete)'
	check "audit --json: signed, with format and key" -- t70_jq \
		'.[] | select(.image == "'"$r/app:signed"'") |
		.status == "signed" and .digest == "'"$D_SIGNED"'" and
		.format == "cosign" and (.key | startswith("SHA256:")) and
		.tag == "signed" and .repository == "'"$r/app"'"'
	check "audit --json: invalid, with the reason" -- t70_jq '
		.[] | select(.image == "'"$r/app:wrong"'") |
		.status == "invalid" and (.reason | test("does not verify"))'
	check "audit --json: the platform manifests of the index" -- t70_jq '
		[.[] | select(.index == "'"$r/multi:v1"'")] |
		length == 2 and
		any(.[]; .image == "'"$r/multi@$D_AMD64"'" and
		    .platform == "linux/amd64" and .status == "signed") and
		any(.[]; .image == "'"$r/multi@$D_ARM64"'" and
		    .platform == "linux/arm64/v8" and .status == "unsigned")'
	check "audit --json: one verification for the three shared tags" -- \
		t70_jq '[.[] | select(.digest == "'"$D_SHARED"'") | .reused] |
		sort == [false, true, true]'
	check "audit --json: the error names what failed" -- t70_jq '
		.[] | select(.status == "error") |
		.image == "'"$r/broken:gone"'" and (has("digest") | not) and
		(.reason | length > 0)'
}

t70_filters() {
	local r=$R70 n
	expect_exit 0 "audit --repo: only signed images, exit 0" -- \
		"$SIGNET" audit --key "$KEY_A.pub" --repo 'team/*' "$r"
	check "audit --repo 'team/*': the three shared tags" -- test \
		"$(grep -c "^signed	$r/team/shared:" "$LAST_OUT")" = 3
	expect_stdout_match '^3 images in 1 repository: 3 signed, 0 unsigned' \
		"audit --repo: totals of the selection"
	expect_exit 1 "audit --repo twice: unsigned or invalid images, exit 1" -- \
		"$SIGNET" audit --key "$KEY_A.pub" --repo app --repo moved "$r"
	check "audit --repo app --repo moved: 5 images" -- test \
		"$(grep -c $'^[a-z]*\t' "$LAST_OUT")" = 5
	expect_exit 0 "audit --repo '*': '*' stays within a path element" -- \
		"$SIGNET" audit --key "$KEY_A.pub" --repo 'te*' "$r"
	expect_stdout_match '^0 images in 0 repositories' \
		"audit --repo 'te*' selects nothing below team/"
	expect_exit 0 "audit --repo '**' crosses path elements" -- \
		"$SIGNET" audit --key "$KEY_A.pub" --repo 'te**' "$r"
	expect_stdout_match '^3 images in 1 repository' \
		"audit --repo 'te**' selects team/shared"

	# verified once: one .sig fetch for the digest behind three tags
	expect_exit 0 "audit with SIGNET_DEBUG" -- env SIGNET_DEBUG=1 \
		"$SIGNET" audit --key "$KEY_A.pub" --repo 'team/**' "$r"
	n=$(grep -c "/manifests/$(sig_tag "$D_SHARED") -> 200" "$LAST_ERR")
	check "audit: a digest under three tags is verified once ($n)" -- \
		test "$n" = 1

	# the policy instead of keys
	printf '{"version":1,"keys":{"a":{"public-key":"%s"}},"rules":[{"scope":"%s/**","keys":["a"]},{"scope":"%s/moved","reject":true},{"scope":"%s/team/*","insecure-accept-anything":true}]}\n' \
		"$KEY_A.pub" "$r" "$r" "$r" >"$T70/policy.json"
	expect_exit 2 "audit --policy" -- \
		"$SIGNET" audit --policy "$T70/policy.json" "$r"
	check "audit --policy: signed as with the key" -- t70_has_line \
		"$(t70_line signed "$r/app:signed" "$D_SIGNED")"
	check "audit --policy: unsigned as with the key" -- t70_has_line \
		"$(t70_line unsigned "$r/app:unsigned" "$D_UNSIGNED")"
	expect_stdout_match "^invalid	$r/moved:v1	$D_MOVED	.*reject" \
		"audit --policy: a rejected repository is invalid, saying why"
	expect_stdout_match "^invalid	$r/app:wrong	$D_WRONG	.*policy" \
		"audit --policy: another key is invalid under the policy"
	expect_stdout_match "^signed	$r/team/shared:a	$D_SHARED	.*accepts anything" \
		"audit --policy: accepted unchecked says so"
	check "audit --policy: the same totals otherwise" -- \
		grep -q '^13 images in 5 repositories: 6 signed, 3 unsigned, 3 invalid, 1 error;' \
		"$LAST_OUT"
}

t70_terminal() {
	local r=$R70
	# script(1) gives the command a terminal for stdout and stderr
	run_cmd env TERM=xterm script -qec "$(printf '%q ' "$SIGNET" audit \
		--key "$KEY_A.pub" --repo app "$r")" /dev/null
	check "audit on a terminal: progress rewritten with \\r" -- \
		grep -Eq $'\raudit: [0-9]+/[0-9]+ images, [0-9]+/s' "$LAST_OUT"
	run_cmd env TERM=dumb script -qec "$(printf '%q ' "$SIGNET" audit \
		--key "$KEY_A.pub" --repo app "$r")" /dev/null
	check "audit on a dumb terminal: no progress, no escape sequence" -- \
		not grep -q $'audit: [0-9]\\|\033' "$LAST_OUT"
	check "audit on a dumb terminal: the images still" -- \
		grep -q "signed	$r/app:signed	" "$LAST_OUT"
	run_cmd env TERM=xterm script -qec "$(printf '%q ' "$SIGNET" audit \
		--quiet --key "$KEY_A.pub" --repo app "$r")" /dev/null
	check "audit --quiet on a terminal: no progress" -- \
		not grep -q 'audit: [0-9]' "$LAST_OUT"
	check "audit --quiet on a terminal: the images still" -- \
		grep -q "signed	$r/app:signed	" "$LAST_OUT"
}

# More than one page of catalog (the registry's pages hold 1000) and 1001
# tags: repositories and tags made in the registry's own storage, which it
# lists like any other.
t70_pages() {
	local hp=$REG_AUDIT root i dg t
	root=$REG_AUDIT_ROOT/docker/registry/v2/repositories
	dg=$(push_image "$hp/page/r0000:t0000" t70-page) || {
		fail "push page/r0000"; return; }
	"$SIGNET" sign --key "$KEY_A.key" "$hp/page/r0000@$dg" >/dev/null ||
		{ fail "sign page/r0000"; return; }
	# r0001..r0999 only need to be listed; r1000 is a whole copy
	local dirs=() tags=$root/page/r0000/_manifests/tags
	for ((i = 1; i < 1000; i++)); do
		printf -v t 'r%04d' "$i"
		dirs+=("$root/page/$t/_layers")
	done
	mkdir -p "${dirs[@]}" || { fail "t70: storage repositories"; return; }
	cp -r "$root/page/r0000" "$root/page/r1000" || return
	dirs=()
	for ((i = 1; i <= 1000; i++)); do
		printf -v t 't%04d' "$i"
		dirs+=("$tags/$t/current" "$tags/$t/index/sha256/${dg#sha256:}")
	done
	mkdir -p "${dirs[@]}" || { fail "t70: storage tags"; return; }
	for ((i = 1; i <= 1000; i++)); do
		printf -v t 't%04d' "$i"
		printf '%s' "$dg" >"$tags/$t/current/link"
		printf '%s' "$dg" >"$tags/$t/index/sha256/${dg#sha256:}/link"
	done
	expect_exit 0 "audit: 1001 tags (two pages), one verification" -- \
		env SIGNET_DEBUG=1 "$SIGNET" audit --key "$KEY_A.pub" \
		--repo page/r0000 "$hp"
	check "audit: two pages of catalog" -- test \
		"$(grep -c '/v2/_catalog?.* -> 200' "$LAST_ERR")" = 2
	# docker-registry 2.8 sends every tag at once, ignoring n=1000
	check "audit: the tag list was read" -- \
		grep -q '/v2/page/r0000/tags/list?.* -> 200' "$LAST_ERR"
	expect_stdout_match '^1001 images in 1 repository: 1001 signed, .* 1 manifest verified' \
		"audit: every tag of both pages, the digest verified once"
	# the copy carries r0000's signature, which names r0000: a forgery
	expect_exit 1 "audit: the catalog's second page" -- \
		"$SIGNET" audit --key "$KEY_A.pub" --repo page/r1000 "$hp"
	expect_stdout_match "^invalid	$hp/page/r1000:t0000	$dg	.*repository" \
		"audit: a repository on the catalog's second page is audited"
}

t70_usage() {
	local r=$R70
	expect_exit 2 "audit without a registry" -- \
		"$SIGNET" audit --key "$KEY_A.pub"
	expect_error_message "audit without a registry: usage" 'REGISTRY'
	expect_exit 2 "audit with --key and --policy" -- \
		"$SIGNET" audit --key "$KEY_A.pub" --policy "$T70/policy.json" "$r"
	expect_error_message "audit --key --policy: not both" 'not both'
	expect_exit 2 "audit --jobs 0" -- \
		"$SIGNET" audit --jobs 0 --key "$KEY_A.pub" "$r"
	expect_exit 2 "audit --jobs 65" -- \
		"$SIGNET" audit --jobs 65 --key "$KEY_A.pub" "$r"
	expect_error_message "audit --jobs: the range" '1 to 64'
	expect_exit 2 "audit of an image name, not a registry" -- \
		"$SIGNET" audit --key "$KEY_A.pub" app
	expect_error_message "audit app: not a registry" 'HOST\[:PORT\]'
	expect_exit 2 "audit without keys or a policy" -- \
		"$SIGNET" audit "$r"
	expect_error_message "audit without keys: says what to give" 'policy'
	expect_exit 2 "audit of a registry that is not there" -- \
		"$SIGNET" audit --key "$KEY_A.pub" "127.0.0.1:$(free_port)"
	expect_error_message "audit: the failed walk is explained" \
		'catalog|reach|connect'
}

t70_secure() {
	local dg
	dg=$(push_image "$REG_SECURE/t70/app:v1" t70-secure) || {
		fail "push t70/app to the secure registry"; return; }
	printf '{"auths":{"%s":{"auth":"%s"}}}\n' "$REG_SECURE" \
		"$(printf '%s' "$SECURE_USER:$SECURE_PASS" | base64 -w0)" \
		>"$T70/config.json"
	expect_exit 0 "sign on the secure registry" -- env \
		DOCKER_CONFIG="$T70" "$SIGNET" sign --ca-file "$REG_SECURE_CA" \
		--key "$KEY_A.key" "$REG_SECURE/t70/app@$dg"
	expect_exit 0 "audit over TLS with credentials (catalog token)" -- \
		env DOCKER_CONFIG="$T70" "$SIGNET" audit --ca-file \
		"$REG_SECURE_CA" --key "$KEY_A.pub" --repo 't70/**' "$REG_SECURE"
	check "audit over TLS: the image is signed" -- t70_has_line \
		"$(t70_line signed "$REG_SECURE/t70/app:v1" "$dg")"
	expect_exit 2 "audit without credentials: the catalog is refused" -- \
		"$SIGNET" audit --ca-file "$REG_SECURE_CA" --key "$KEY_A.pub" \
		"$REG_SECURE"
	expect_error_message "audit without credentials: explained" \
		'catalog|auth|credential|401'
}

# ---- requests: audit asks only what it does not know (issue 17) -------------

# 4 images signed and 4 not, in a repository of their own. Audit reads
# the tag list whole before it verifies, so it knows which signature tags
# exist. With --jobs 1: the catalog, the tag list, 3 requests per signed
# image (its manifest, the .sig manifest, the payload), 1 per unsigned
# image (its manifest) and one question to the referrers API, which
# docker-registry answers 404 once for all: 19. Upper bounds, not timings.
t70_requests() {
	local hp=$R70 i n
	for ((i = 0; i < 8; i++)); do
		push_image "$hp/count:t$i" "t70-count-$i" >/dev/null ||
			{ fail "t70: push count:t$i"; return; }
	done
	"$SIGNET" sign --key "$KEY_A.key" "$hp/count:t0" "$hp/count:t1" \
		"$hp/count:t2" "$hp/count:t3" >/dev/null ||
		{ fail "t70: sign count"; return; }
	expect_exit 1 "audit --jobs 1, traced: 4 signed, 4 unsigned" -- \
		env SIGNET_DEBUG=1 "$SIGNET" audit --jobs 1 --key "$KEY_A.pub" \
		--repo count "$hp"
	expect_stdout_match '^8 images in 1 repository: 4 signed, 4 unsigned, 0 invalid, 0 error' \
		"audit: the same verdicts with fewer requests"
	n=$(grep -c ' -> [1-9]' "$LAST_ERR")
	check "audit: at most 19 requests for 8 images, half signed ($n)" -- \
		test "$n" -le 19
	check "audit: no .sig manifest the tag list lacks is asked for" -- \
		not grep -q '/manifests/sha256-[0-9a-f]*\.sig -> 404' "$LAST_ERR"
	check "audit: nor a referrers tag index the list lacks" -- \
		not grep -Eq '/manifests/sha256-[0-9a-f]{64} -> ' "$LAST_ERR"
	n=$(grep -c '/v2/count/referrers/sha256:.* -> 404' "$LAST_ERR")
	check "audit: the referrers API asked once ($n)" -- test "$n" = 1
	expect_exit 1 "audit --jobs 8, traced" -- env SIGNET_DEBUG=1 \
		"$SIGNET" audit --key "$KEY_A.pub" --repo count "$hp"
	n=$(grep -c ' -> [1-9]' "$LAST_ERR")
	check "audit --jobs 8: at most 26 requests ($n)" -- test "$n" -le 26
	expect_stdout_match '^8 images in 1 repository: 4 signed, 4 unsigned, 0 invalid, 0 error' \
		"audit --jobs 8: the same verdicts"

	# the policy is handed the manifest audit fetched: one fetch each
	printf '{"version":1,"keys":{"a":{"public-key":"%s"}},"rules":[{"scope":"%s/**","keys":["a"]}]}\n' \
		"$KEY_A.pub" "$hp" >"$T70/policy-count.json"
	expect_exit 1 "audit --policy --jobs 1, traced" -- env SIGNET_DEBUG=1 \
		"$SIGNET" audit --jobs 1 --policy "$T70/policy-count.json" \
		--repo count "$hp"
	expect_stdout_match '^8 images in 1 repository: 4 signed, 4 unsigned, 0 invalid, 0 error' \
		"audit --policy: the same verdicts"
	n=$(grep -c '/v2/count/manifests/sha256:' "$LAST_ERR")
	check "audit --policy: no image manifest fetched again by digest ($n)" \
		-- test "$n" = 0
	n=$(grep -c ' -> [1-9]' "$LAST_ERR")
	check "audit --policy: at most 19 requests ($n)" -- test "$n" -le 19
}

# The tag list is registry data: a proxy in front of the registry hides
# every .sig tag of count and names one that does not exist. Hiding a
# signature makes its image unsigned, never signed (forgery); a listed
# tag the registry lacks is asked for, and is not there.
t70_hidden_tags() {
	local hp=$R70 d=$T70/proxy px pid i dg
	mkdir -p "$d"
	dg=$(reg_get_manifest "$hp" count t4 | sha256sum) || return
	dg=${dg%% *}
	printf '{"rules":[{"method":"GET","path":"^/v2/count/tags/list","json":"doc[\\"tags\\"] = [t for t in doc[\\"tags\\"] if not t.endswith(\\".sig\\")] + [\\"sha256-%s.sig\\"]"}]}\n' \
		"$dg" >"$d/rules.json"
	python3 "$(dirname "${BASH_SOURCE[0]}")/../hostile/proxy.py" \
		--upstream "$hp" --port-file "$d/port" \
		--evil-port-file "$d/evil" --rules "$d/rules.json" \
		--log "$d/log" --lifetime 120 </dev/null >"$d/out" 2>&1 &
	pid=$!
	REG_PIDS+=("$pid")
	for ((i = 0; i < 150; i++)); do
		[ -s "$d/port" ] && break
		sleep 0.1
	done
	[ -s "$d/port" ] || { fail "t70: the proxy did not start"; return; }
	px=127.0.0.1:$(cat "$d/port")
	expect_exit 1 "audit, tag list hiding the signatures: not signed" -- \
		env SIGNET_DEBUG=1 "$SIGNET" audit --jobs 1 --key "$KEY_A.pub" \
		--repo count "$px"
	expect_stdout_match '^8 images in 1 repository: 0 signed, 8 unsigned, 0 invalid, 0 error' \
		"audit: hidden signature tags make images unsigned (forgery)"
	check "audit: the tag the list names is asked for" -- grep -q \
		"/manifests/sha256-$dg.sig -> 404" "$LAST_ERR"
	check "audit: no rules error in the proxy" -- \
		not grep -q rules_error "$d/log"
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
}

if reg_start audit; then
	if t70_seed "$REG_AUDIT"; then
		t70_table
		t70_json
		t70_filters
		t70_terminal
		t70_usage
		t70_secure
		t70_requests
		t70_hidden_tags
		t70_pages
	else
		fail "t70: seeding the audit registry"
	fi
else
	fail "t70: starting the audit registry"
fi
