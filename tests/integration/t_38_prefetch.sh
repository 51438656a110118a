# shellcheck shell=bash
# Verify by digest asks for the image manifest and the .sig manifest at
# once (registry_prefetch), and judges the answer it kept exactly as one
# fetched when asked for: a forged .sig still fails with exit 1, an
# unsigned image still has no signatures, a missing image is still
# missing; no request is added on a plain loopback registry, and the
# credentials a TLS registry asks for go with the batch once settled.
# Against the real docker-registry. Sourced by run.sh.

T38=$WORK/t38
mkdir -p "$T38/docker"
R38=$REG_MAIN/t38
printf '{"auths":{"%s":{"auth":"%s"}}}\n' "$REG_SECURE" \
	"$(printf '%s' "$SECURE_USER:$SECURE_PASS" | base64 -w0)" \
	>"$T38/docker/config.json"

# t38_requests: the HTTP requests the last command's trace shows.
t38_requests() {
	grep -Ec '^signet: debug: .* (GET|HEAD|PUT|POST) [^ ]+ -> ' \
		"$LAST_ERR"
}

# t38_trips: its sequential round trips (requests that overlap count once)
t38_trips() {
	python3 - "$LAST_ERR" <<'PY'
import re, sys
reqs = []
for line in open(sys.argv[1]):
    m = re.search(r"debug: +([0-9.]+) ms: .* -> [0-9]+.*\(([0-9.]+) ms\)$",
                  line)
    if m:
        end = float(m.group(1))
        reqs.append((end - float(m.group(2)), end))
trips, last = 0, float("-inf")
for start, end in sorted(reqs):
    if start >= last - 0.05:
        trips += 1
    last = max(last, end)
print(trips)
PY
}

# t38_forge REPO DIGEST: the .sig manifest of DIGEST with one character
# of its signature changed (the payload blob stays as it is).
t38_forge() {
	local m=$T38/forged.json tag
	tag=$(sig_tag "$2")
	reg_get_manifest "$REG_MAIN" "$1" "$tag" |
		jq -c '.layers[0].annotations["dev.cosignproject.cosign/signature"] |=
			(.[0:10] + (if .[10:11] == "A" then "B" else "A" end) +
			 .[11:])' >"$m" || return 1
	reg_put_manifest "$REG_MAIN" "$1" "$tag" "$m" >/dev/null
}

t38_main() {
	local dg pin udg upin fdg fpin dg2 sdg spin

	dg=$(push_image "$R38/app:v1" t38-app) || { fail "t38: push"; return; }
	pin=$R38/app@$dg
	expect_exit 0 "t38: sign" -- "$SIGNET" sign --key "$KEY_A.key" "$pin" ||
		return

	expect_exit 0 "verify by digest" -- \
		env SIGNET_DEBUG=1 "$SIGNET" verify --key "$KEY_A.pub" "$pin"
	expect_stdout_eq "$pin" "verify by digest prints the pinned reference"
	expect_stderr_match "prefetch: GET [^ ]*/manifests/$(sig_tag "$dg") -> 200" \
		"the .sig manifest goes out beside the image manifest"
	expect_stderr_match "manifests/$(sig_tag "$dg"): answered by the prefetch" \
		"the .sig lookup takes the kept answer"
	check "verify by digest: 3 requests, none added" -- \
		test "$(t38_requests)" = 3
	check "verify by digest: 2 sequential round trips (was 3)" -- \
		test "$(t38_trips)" = 2
	expect_exit 1 "verify by digest with another key exits 1" -- \
		"$SIGNET" verify --key "$KEY_B.pub" "$pin"

	# the kept answer is judged as a fresh one: a forged .sig fails
	fdg=$(push_image "$R38/forged:v1" t38-forged) || { fail "t38: push"; return; }
	fpin=$R38/forged@$fdg
	expect_exit 0 "t38: sign the image to forge" -- \
		"$SIGNET" sign --key "$KEY_A.key" "$fpin" || return
	check "t38: forge its .sig signature" -- t38_forge t38/forged "$fdg"
	expect_exit 1 "forgery: edited .sig signature, by digest, exits 1" -- \
		env SIGNET_DEBUG=1 "$SIGNET" verify --key "$KEY_A.pub" "$fpin"
	expect_stderr_match "answered by the prefetch" \
		"forgery: the forged .sig came through the prefetch"
	expect_exit 1 "forgery: edited .sig signature, by tag, exits 1" -- \
		"$SIGNET" verify --key "$KEY_A.pub" "$R38/forged:v1"

	# an unsigned image: the .sig lookup's 404 is kept and means the same
	udg=$(push_image "$R38/unsigned:v1" t38-unsigned) || { fail "t38: push"; return; }
	upin=$R38/unsigned@$udg
	expect_exit 1 "unsigned image by digest exits 1" -- \
		env SIGNET_DEBUG=1 "$SIGNET" verify --key "$KEY_A.pub" "$upin"
	expect_stderr_match "no signatures found" \
		"unsigned image by digest: no signatures found"
	# manifest and .sig at once, then the referrers API, then its tag
	check "unsigned image by digest: 4 requests in 3 round trips (was 4)" -- \
		eval 'test "$(t38_requests)" = 4 && test "$(t38_trips)" = 3'

	# an image the registry lacks is missing, whatever came beside it
	expect_exit 2 "missing image by digest exits 2" -- \
		"$SIGNET" verify --key "$KEY_A.pub" \
		"$R38/app@sha256:$(printf '%064d' 0)"
	expect_stderr_match "not found" "missing image by digest: not found"

	# two images in one verify: each its own batch, nothing carried over
	dg2=$(push_image "$R38/two:v1" t38-two) || { fail "t38: push"; return; }
	expect_exit 0 "t38: sign the second image" -- \
		"$SIGNET" sign --key "$KEY_A.key" "$R38/two@$dg2" || return
	expect_exit 0 "verify two images by digest in one process" -- \
		env SIGNET_DEBUG=1 "$SIGNET" verify --key "$KEY_A.pub" "$pin" \
		"$R38/two@$dg2"
	check "two images: each .sig answered by its own prefetch" -- \
		test "$(grep -c 'answered by the prefetch' "$LAST_ERR")" = 2
	check "two images: 6 requests" -- test "$(t38_requests)" = 6
	expect_exit 1 "two images, the second unsigned: exits 1" -- \
		"$SIGNET" verify --key "$KEY_A.pub" "$pin" "$upin"

	# TLS and basic auth: the batch goes with the credentials
	sdg=$(push_image "$REG_SECURE/t38/app:v1" t38-secure 2>/dev/null)
	if [ -z "$sdg" ]; then
		expect_exit 0 "t38: sign over TLS" -- \
			env DOCKER_CONFIG="$T38/docker" "$SIGNET" sign \
			--ca-file "$REG_SECURE_CA" --key "$KEY_A.key" \
			"$REG_SECURE/t38/app:v1" || return
		sdg=$(env DOCKER_CONFIG="$T38/docker" "$SIGNET" verify \
			--ca-file "$REG_SECURE_CA" --key "$KEY_A.pub" \
			"$REG_SECURE/t38/app:v1" 2>/dev/null)
		sdg=${sdg##*@}
	else
		expect_exit 0 "t38: sign over TLS" -- \
			env DOCKER_CONFIG="$T38/docker" "$SIGNET" sign \
			--ca-file "$REG_SECURE_CA" --key "$KEY_A.key" \
			"$REG_SECURE/t38/app@$sdg" || return
	fi
	spin=$REG_SECURE/t38/app@$sdg
	expect_exit 0 "verify by digest over TLS with credentials" -- \
		env DOCKER_CONFIG="$T38/docker" SIGNET_DEBUG=1 "$SIGNET" verify \
		--ca-file "$REG_SECURE_CA" --key "$KEY_A.pub" "$spin"
	expect_stderr_match "prefetch: GET https://[^ ]*/manifests/$(sig_tag "$sdg") -> 200" \
		"TLS: the .sig manifest comes with the credentials"
	expect_exit 1 "TLS: another key exits 1" -- \
		env DOCKER_CONFIG="$T38/docker" "$SIGNET" verify \
		--ca-file "$REG_SECURE_CA" --key "$KEY_B.pub" "$spin"
}

t38_main
