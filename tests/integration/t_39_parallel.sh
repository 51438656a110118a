# shellcheck shell=bash
# Several images in one verify (or list) are checked at once, each worker
# with a registry client of its own, and reported exactly as one after the
# other would: stdout, stderr and --json in argument order, never
# interleaved, the same exit status as --jobs 1. Images signed, unsigned,
# forged and missing, on the plain and the TLS registry; a registry that
# never answers holds the others up no longer than the deadline.
# Against the real docker-registry. Sourced by run.sh.

T39=$WORK/t39
mkdir -p "$T39/docker"
R39=$REG_MAIN/t39
printf '{"auths":{"%s":{"auth":"%s"}}}\n' "$REG_SECURE" \
	"$(printf '%s' "$SECURE_USER:$SECURE_PASS" | base64 -w0)" \
	>"$T39/docker/config.json"

# t39_forge REPO DIGEST: one character of the .sig signature changed.
t39_forge() {
	local m=$T39/forged.json tag
	tag=$(sig_tag "$2")
	reg_get_manifest "$REG_MAIN" "$1" "$tag" |
		jq -c '.layers[0].annotations["dev.cosignproject.cosign/signature"] |=
			(.[0:10] + (if .[10:11] == "A" then "B" else "A" end) +
			 .[11:])' >"$m" || return 1
	reg_put_manifest "$REG_MAIN" "$1" "$tag" "$m" >/dev/null
}

# t39_same DESC: the last command's exit, stdout and stderr equal those
# kept by t39_keep.
t39_keep() {
	T39_RC=$LAST_RC
	cp "$LAST_OUT" "$T39/seq.out"
	cp "$LAST_ERR" "$T39/seq.err"
}
t39_same() {
	if [ "$LAST_RC" = "$T39_RC" ] && cmp -s "$LAST_OUT" "$T39/seq.out" &&
	   cmp -s "$LAST_ERR" "$T39/seq.err"; then
		pass "$1"
	else
		fail "$1 (exit $LAST_RC, --jobs 1 exit $T39_RC)"
		diff "$T39/seq.out" "$LAST_OUT" | head -n 20 >&2
		diff "$T39/seq.err" "$LAST_ERR" | head -n 20 >&2
	fi
}

# t39_push: the six images, $T39_IMGS in order.
t39_push() {
	local dg udg fdg sdg sudg

	dg=$(push_image "$R39/app:v1" t39-app) || return 1
	"$SIGNET" sign --key "$KEY_A.key" "$R39/app@$dg" >/dev/null 2>&1 ||
		return 1
	udg=$(push_image "$R39/unsigned:v1" t39-unsigned) || return 1
	fdg=$(push_image "$R39/forged:v1" t39-forged) || return 1
	"$SIGNET" sign --key "$KEY_A.key" "$R39/forged@$fdg" >/dev/null 2>&1 &&
		t39_forge t39/forged "$fdg" || return 1
	sdg=$(push_image "$REG_SECURE/t39/app:v1" t39-secure 2>/dev/null) ||
		return 1
	sudg=$(push_image "$REG_SECURE/t39/unsigned:v1" t39-sunsigned \
		2>/dev/null) || return 1
	env DOCKER_CONFIG="$T39/docker" "$SIGNET" sign --ca-file \
		"$REG_SECURE_CA" --key "$KEY_A.key" "$REG_SECURE/t39/app@$sdg" \
		>/dev/null 2>&1 || return 1
	T39_PIN=$R39/app@$dg
	T39_UPIN=$R39/unsigned@$udg
	T39_FPIN=$R39/forged@$fdg
	T39_SUPIN=$REG_SECURE/t39/unsigned@$sudg
	T39_SPIN=$REG_SECURE/t39/app@$sdg
	T39_IMGS=("$T39_PIN" "$R39/unsigned@$udg" "$T39_SPIN"
		"$R39/forged:v1" "$R39/missing@sha256:$(printf '%064d' 0)"
		"$REG_SECURE/t39/unsigned:v1")
}

t39_verify() {
	env DOCKER_CONFIG="$T39/docker" SIGNET_DEBUG="${T39_DEBUG:-}" \
		"$SIGNET" "$@" --ca-file "$REG_SECURE_CA" --key "$KEY_A.pub" \
		"${T39_IMGS[@]}"
}

t39_main() {
	t39_push || { fail "t39: push and sign the images"; return; }

	expect_exit 2 "six images, one missing: exits 2" -- t39_verify verify
	expect_stdout_eq "$T39_PIN
$T39_SPIN" "six images: the verified ones pinned, in argument order"
	# stderr: each failed image's lines, in argument order
	check "six images: stderr exactly, in argument order" -- test \
		"$(cat "$LAST_ERR")" = "signet: no signatures found for '$T39_UPIN'
signet: hint: if '$T39_UPIN' is a platform manifest of a signed index, sign the index with 'signet sign --recursive' so each platform is signed too
signet: no valid signature for '$T39_FPIN' (1 checked; signature does not verify with any given key)
signet: manifest '${T39_IMGS[4]}' not found: manifest unknown
signet: no signatures found for '$T39_SUPIN'"
	t39_keep
	expect_exit 2 "six images with --jobs 1: exits 2" -- \
		t39_verify verify --jobs 1
	t39_same "six images: --jobs 1 prints byte for byte the same"
	expect_exit 2 "six images with --jobs 16: exits 2" -- \
		t39_verify verify --jobs 16
	t39_same "six images: --jobs 16 prints byte for byte the same"
	# two workers, a window of four: slots are used again
	expect_exit 2 "six images with --jobs 2: exits 2" -- \
		t39_verify verify --jobs 2
	t39_same "six images: --jobs 2 prints byte for byte the same"

	# only invalid ones (no error): 1, as one after the other
	expect_exit 1 "signed, forged and unsigned: exits 1" -- \
		env DOCKER_CONFIG="$T39/docker" "$SIGNET" verify --ca-file \
		"$REG_SECURE_CA" --key "$KEY_A.pub" "${T39_IMGS[0]}" \
		"${T39_IMGS[3]}" "${T39_IMGS[2]}" "${T39_IMGS[5]}"
	expect_stdout_eq "$T39_PIN
$T39_SPIN" "invalid ones: the verified pinned, in order"
	expect_exit 0 "two signed on two registries: exits 0" -- \
		env DOCKER_CONFIG="$T39/docker" "$SIGNET" verify --ca-file \
		"$REG_SECURE_CA" --key "$KEY_A.pub" "$T39_SPIN" "$T39_PIN"
	expect_stdout_eq "$T39_SPIN
$T39_PIN" "two signed: in argument order"

	# --json: one document per image that resolved, in argument order
	expect_exit 2 "six images --json: exits 2" -- t39_verify verify --json
	check "--json: the documents in argument order" -- test \
		"$(jq -r '.[] | "\(.image) \(.verified)"' "$LAST_OUT" |
			sed 's/@.*sha256:[0-9a-f]* / /' | tr '\n' ,)" = \
		"$R39/app true,$R39/unsigned false,$REG_SECURE/t39/app true,$R39/forged false,$REG_SECURE/t39/unsigned false,"
	t39_keep
	expect_exit 2 "six images --json --jobs 1: exits 2" -- \
		t39_verify verify --json --jobs 1
	t39_same "--json: --jobs 1 prints the same"
	expect_exit 2 "six images --json --jobs 2: exits 2" -- \
		t39_verify verify --json --jobs 2
	t39_same "--json: --jobs 2 prints the same"

	# list: the same lines as one after the other
	expect_exit 2 "list of six images: exits 2 (one missing)" -- \
		t39_verify list
	expect_stdout_match "^$T39_PIN	cosign	" "list: the signed image's line"
	t39_keep
	expect_exit 2 "list --jobs 1: exits 2" -- t39_verify list --jobs 1
	t39_same "list: --jobs 1 prints the same"

	# each worker its own client, each image its own requests
	T39_DEBUG=1 expect_exit 2 "six images traced: exits 2" -- \
		t39_verify verify
	check "traced: each signed image's .sig prefetched once" -- test \
		"$(grep -c 'answered by the prefetch' "$LAST_ERR")" -ge 2

	expect_exit 2 "--jobs 0 is refused" -- "$SIGNET" verify --jobs 0 \
		--key "$KEY_A.pub" "$T39_PIN"
	expect_stderr_match "invalid --jobs '0': give 1 to 16" \
		"--jobs 0: the message names the range"
	expect_exit 2 "run --jobs is refused" -- "$SIGNET" run --jobs 2 \
		--key "$KEY_A.pub" -- docker run "$T39_PIN"
	expect_stderr_match "run: --jobs is for verify and list" \
		"run --jobs: the message says where it goes"

	t39_deadline
}

# A registry that accepts and never answers: with --deadline 3 its image
# fails on time, the others are verified meanwhile and reported in order.
t39_deadline() {
	local port pid t0 dt
	python3 -c '
import socket, sys, time
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(16)
print(s.getsockname()[1], flush=True)
held = []
while True:
    held.append(s.accept())
' >"$T39/hang.port" &
	pid=$!
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		[ -s "$T39/hang.port" ] && break
		sleep 0.2
	done
	port=$(cat "$T39/hang.port")
	t0=$(date +%s%N)
	expect_exit 2 "a registry that never answers, --deadline 3: exits 2" -- \
		"$SIGNET" verify --deadline 3 --key "$KEY_A.pub" \
		"127.0.0.1:$port/t39/hang:v1" "$T39_PIN" \
		"127.0.0.1:$port/t39/hang2:v1"
	dt=$((($(date +%s%N) - t0) / 1000000))
	expect_stdout_eq "$T39_PIN" "never answers: the signed image verified"
	check "never answers: one line each for the two hung, in order" -- \
		eval 'test "$(wc -l <"$LAST_ERR")" = 2 &&
			head -n 1 "$LAST_ERR" | grep -q "hang:v1" &&
			tail -n 1 "$LAST_ERR" | grep -q "hang2:v1"'
	expect_stderr_match "deadline 3" "never answers: the deadline is named"
	check "never answers: both hung images within one deadline ($dt ms)" \
		-- test "$dt" -lt 5500
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
}

t39_main
