# shellcheck shell=bash
# signet run (verify, then docker on the verified digest), the docker CLI
# plugin, signet save and verify --offline. Sourced by run.sh.
#
# The parts that need a Docker engine run only where `docker info` works;
# elsewhere they print one line saying so and count neither way. Checks of
# the exact argv handed to docker use a fake `docker` first in PATH; the
# end-to-end runs use the real one.

T80=$WORK/t80
mkdir -p "$T80/fakebin" "$T80/nodocker"
R80=$REG_MAIN/t80

# The fake docker: records its argv one word per line, exits $FAKE_STATUS.
cat >"$T80/fakebin/docker" <<'EOF'
#!/bin/sh
printf '%s\n' "$@" >"$FAKE_ARGV"
exit "${FAKE_STATUS:-0}"
EOF
chmod +x "$T80/fakebin/docker"
FAKE_ARGV=$T80/fake.argv
export FAKE_ARGV

# t80_jq FILE FILTER: FILTER holds for the JSON in FILE.
t80_jq() {
	jq -e "$2" "$1" >/dev/null
}

# t80_fake ARGS...: signet with the fake docker first in PATH.
t80_fake() {
	rm -f "$FAKE_ARGV"
	env PATH="$T80/fakebin:$PATH" "$SIGNET" "$@"
}

# t80_argv_is WORD...: the fake docker got exactly these words (after
# "docker").
t80_argv_is() {
	[ -f "$FAKE_ARGV" ] || return 1
	[ "$(cat "$FAKE_ARGV")" = "$(printf '%s\n' "$@")" ]
}

t80_argv_replacement() {
	local dg pinned
	dg=$(push_image "$R80/app:1" t80-app) || { fail "push t80/app"; return; }
	pinned=$R80/app@$dg
	push_image "$R80/app:evil" t80-evil >/dev/null ||
		{ fail "push t80/evil"; return; }
	expect_exit 0 "t80: sign app:1" -- "$SIGNET" sign --key "$KEY_A.key" \
		"$R80/app:1"

	expect_exit 0 "run: signed image, docker run" -- t80_fake run \
		--key "$KEY_A.pub" -- docker run --rm -it -e X=1 --name n \
		-p 80:80 "$R80/app:1" sh -c 'echo hi' --rm
	check "run: IMAGE replaced by the verified digest, nothing else touched" -- \
		t80_argv_is run --rm -it -e X=1 --name n -p 80:80 "$pinned" \
		sh -c 'echo hi' --rm
	check "run: signet prints nothing of its own on stdout" -- \
		test ! -s "$LAST_OUT"

	expect_exit 0 "run: no '--' needed before docker" -- t80_fake run \
		--key "$KEY_A.pub" docker run -dit "$R80/app:1"
	check "run: -dit is three booleans" -- \
		t80_argv_is run -dit "$pinned"

	expect_exit 0 "run: docker pull" -- t80_fake run --key "$KEY_A.pub" \
		-- docker pull -q "$R80/app:1"
	check "run: docker pull gets the digest" -- t80_argv_is pull -q "$pinned"

	expect_exit 0 "run: docker create, global options first" -- t80_fake \
		run --key "$KEY_A.pub" -- docker --log-level error container \
		create --name=c "$R80/app:1"
	check "run: docker create gets the digest" -- \
		t80_argv_is --log-level error container create --name=c "$pinned"

	expect_exit 0 "run: by digest" -- t80_fake run --key "$KEY_A.pub" \
		-- docker run "$pinned"
	check "run: a digest stays the digest" -- t80_argv_is run "$pinned"

	expect_exit 42 "run: docker's exit status is passed on" -- env \
		FAKE_STATUS=42 PATH="$T80/fakebin:$PATH" "$SIGNET" run \
		--key "$KEY_A.pub" -- docker run "$R80/app:1"

	# refused: docker never starts
	expect_exit 1 "run: unsigned image refused" -- t80_fake run \
		--key "$KEY_A.pub" -- docker run --rm "$R80/app:evil"
	check "run: unsigned: docker not run" -- test ! -e "$FAKE_ARGV"
	expect_stderr_match 'no signatures' "run: unsigned: says why"
	expect_exit 1 "run: another key refused" -- t80_fake run \
		--key "$KEY_B.pub" -- docker run "$R80/app:1"
	check "run: another key: docker not run" -- test ! -e "$FAKE_ARGV"
	expect_exit 1 "run: annotation not signed refused" -- t80_fake run \
		--key "$KEY_A.pub" -a env=prod -- docker run "$R80/app:1"
	check "run: annotation: docker not run" -- test ! -e "$FAKE_ARGV"
	expect_exit 2 "run: missing image" -- t80_fake run --key "$KEY_A.pub" \
		-- docker run "$R80/nothing:1"
	check "run: missing image: docker not run" -- test ! -e "$FAKE_ARGV"

	# under a trust policy instead of keys
	printf '{"version":1,"keys":{"a":{"public-key":"%s"}},"rules":[{"scope":"%s/app","keys":["a"]},{"scope":"%s/rejected","reject":true}]}\n' \
		"$KEY_A.pub" "$R80" "$R80" >"$T80/policy.json"
	expect_exit 0 "run --policy: signed by a trusted key" -- t80_fake run \
		--policy "$T80/policy.json" -- docker run "$R80/app:1"
	check "run --policy: docker gets the digest" -- t80_argv_is run "$pinned"
	expect_exit 1 "run --policy: unsigned refused" -- t80_fake run \
		--policy "$T80/policy.json" -- docker run "$R80/app:evil"
	check "run --policy: unsigned: docker not run" -- test ! -e "$FAKE_ARGV"
	expect_exit 1 "run --policy: rejected scope refused" -- t80_fake run \
		--policy "$T80/policy.json" -- docker run "$R80/rejected:1"
	check "run --policy: rejected: docker not run" -- test ! -e "$FAKE_ARGV"

	# usage errors: exit 2, nothing run
	local bad
	for bad in "docker ps" "docker exec c ls" "podman run $R80/app:1" \
		"docker run" "docker run --rm" "docker run --no-such-flag $R80/app:1" \
		"docker pull -a $R80/app:1" "docker run --help"; do
		# shellcheck disable=SC2086
		expect_exit 2 "run: refused: $bad" -- t80_fake run \
			--key "$KEY_A.pub" -- $bad
		expect_error_message "run: $bad: one 'signet:' line"
		check "run: $bad: docker not run" -- test ! -e "$FAKE_ARGV"
	done
	expect_exit 2 "run: no docker command at all" -- t80_fake run \
		--key "$KEY_A.pub"
	expect_error_message "run: no docker command: says what to give" 'docker'
	expect_exit 2 "run --json refused" -- t80_fake run --json \
		--key "$KEY_A.pub" -- docker run "$R80/app:1"
	check "run --json: docker not run" -- test ! -e "$FAKE_ARGV"
	expect_exit 2 "run: docker not installed" -- env PATH="$T80/nodocker" \
		"$SIGNET" run --key "$KEY_A.pub" -- docker run "$R80/app:1"
	expect_error_message "run: docker not installed: says so" "cannot run 'docker'"

	# the plugin's metadata, called as docker does
	ln -sf "$SIGNET" "$T80/docker-signet"
	expect_exit 0 "plugin: docker-cli-plugin-metadata" -- \
		"$T80/docker-signet" docker-cli-plugin-metadata
	check "plugin: metadata is docker's JSON" -- t80_jq "$LAST_OUT" \
		'.SchemaVersion == "0.1.0" and .Vendor == "signet" and
		 (.Version | length > 0) and (.ShortDescription | length > 0)'
	expect_exit 0 "plugin: 'signet' word dropped" -- \
		"$T80/docker-signet" signet verify --key "$KEY_A.pub" "$R80/app:1"
	expect_stdout_eq "$pinned" "plugin: verify prints the pinned name"
	expect_exit 1 "plugin: verify unsigned" -- \
		"$T80/docker-signet" signet verify --key "$KEY_A.pub" "$R80/app:evil"
}

# docker gets no signing secret, and is found only in absolute PATH entries
t80_env_and_path() {
	local R=$R80/app d=$T80/envcheck
	mkdir -p "$d/bin" "$d/cwd/rel" "$d/good"
	# a docker that writes its environment, one variable a line
	printf '#!/bin/sh\nenv >"%s"\n' "$d/env" >"$d/bin/docker"
	chmod +x "$d/bin/docker"
	expect_exit 0 "run: docker started with the secrets set" -- env \
		SIGNET_PASSWORD="$SIGNET_PASSWORD" COSIGN_PASSWORD=t80-cosign-pw \
		SIGNET_PKCS11_PIN=t80-pin T80_MARK=kept PATH="$d/bin:$PATH" \
		"$SIGNET" run --key "$KEY_A.pub" -- docker run "$R:1"
	check "run: docker ran" -- test -s "$d/env"
	check "run: docker gets no SIGNET_PASSWORD" -- \
		not grep -q '^SIGNET_PASSWORD=' "$d/env"
	check "run: docker gets no COSIGN_PASSWORD" -- \
		not grep -q '^COSIGN_PASSWORD=' "$d/env"
	check "run: docker gets no SIGNET_PKCS11_PIN" -- \
		not grep -q '^SIGNET_PKCS11_PIN=' "$d/env"
	check "run: the rest of the environment is kept" -- \
		grep -qx 'T80_MARK=kept' "$d/env"

	# a docker planted in the current folder: PATH's "." and empty
	# entries name it, and it must never run
	printf '#!/bin/sh\n: >"%s"\n' "$d/planted-ran" >"$d/cwd/docker"
	cp "$d/cwd/docker" "$d/cwd/rel/docker"
	chmod +x "$d/cwd/docker" "$d/cwd/rel/docker"
	printf '#!/bin/sh\n: >"%s"\n' "$d/good-ran" >"$d/good/docker"
	chmod +x "$d/good/docker"
	local p
	for p in ".:$d/good" ":$d/good" "rel:$d/good" "$d/good:"; do
		rm -f "$d/planted-ran" "$d/good-ran"
		expect_exit 0 "run: PATH=$p" -- sh -c 'cd "$1" && shift &&
			exec env PATH="$@"' sh "$d/cwd" "$p" "$SIGNET" run \
			--key "$KEY_A.pub" -- docker run "$R:1"
		check "run: PATH=$p: the docker in the current folder not run" -- \
			test ! -e "$d/planted-ran"
		check "run: PATH=$p: the docker in the absolute entry ran" -- \
			test -e "$d/good-ran"
	done
	expect_exit 2 "run: docker only in the current folder" -- sh -c \
		'cd "$1" && shift && exec env PATH="$@"' sh "$d/cwd" ".:rel:" \
		"$SIGNET" run --key "$KEY_A.pub" -- docker run "$R:1"
	expect_error_message "run: only a relative docker: says it is not found" \
		"cannot run 'docker'"
	check "run: only a relative docker: it did not run" -- \
		test ! -e "$d/planted-ran"
}

# ---- save and verify --offline ---------------------------------------------

# t80_layout_ok DIR: an OCI layout whose every blob hashes to its name and
# whose index.json tags the image, its .sig manifest and referrers index.
t80_layout_ok() {
	local dir=$1 dg=$2 f
	jq -e '.imageLayoutVersion == "1.0.0"' "$dir/oci-layout" >/dev/null || return 1
	for f in "$dir"/blobs/sha256/*; do
		[ "$(sha256_file "$f")" = "sha256:${f##*/}" ] || return 1
	done
	jq -e --arg dg "$dg" --arg name "$3" '
		(.manifests[] | select(.annotations["org.opencontainers.image.ref.name"] == "1")
		 | .digest == $dg and .annotations["io.containerd.image.name"] == $name) and
		any(.manifests[]; .annotations["org.opencontainers.image.ref.name"] ==
			("sha256-" + ($dg | ltrimstr("sha256:")) + ".sig")) and
		any(.manifests[]; .annotations["org.opencontainers.image.ref.name"] ==
			("sha256-" + ($dg | ltrimstr("sha256:")))) and
		all(.manifests[]; (.digest | startswith("sha256:")) and (.size > 0))
	' "$dir/index.json" >/dev/null || return 1
}

# t80_tamper DIR DIGEST: change one byte of a blob, keep its name.
t80_tamper() {
	local f=$1/blobs/sha256/${2#sha256:}
	[ -f "$f" ] || return 1
	python3 - "$f" <<'EOF'
import sys
p = sys.argv[1]
b = bytearray(open(p, 'rb').read())
b[len(b) // 2] ^= 1
open(p, 'wb').write(b)
EOF
}

t80_save_offline() {
	local dg pinned L sig pl bm bl
	reg_start t80 || { fail "start the t80 registry"; return; }
	local R=$REG_T80/t80
	dg=$(push_image "$R/app:1" t80-offline) || { fail "push t80 offline"; return; }
	pinned=$R/app@$dg
	expect_exit 0 "save: sign cosign" -- "$SIGNET" sign --key "$KEY_A.key" "$R/app:1"
	expect_exit 0 "save: sign sigstore-bundle" -- "$SIGNET" sign \
		--format sigstore-bundle --key "$KEY_A.key" "$R/app:1"
	push_image "$R/app:unsigned" t80-unsigned >/dev/null ||
		{ fail "push unsigned"; return; }

	L=$T80/layout
	expect_exit 0 "save IMAGE DIR" -- "$SIGNET" save "$R/app:1" "$L"
	expect_stdout_eq "$pinned" "save prints the pinned name"
	check "save: an OCI layout, blobs match their names, tags as a registry" -- \
		t80_layout_ok "$L" "$dg" "$R/app:1"
	expect_exit 0 "save again into the same folder" -- "$SIGNET" save \
		"$R/app:1" "$L"
	expect_exit 2 "save another image into that folder refused" -- \
		"$SIGNET" save "$R/app:unsigned" "$L"
	expect_error_message "save: refuses a folder holding another save" 'not empty'
	mkdir -p "$T80/other" && echo x >"$T80/other/file"
	expect_exit 2 "save into a non-empty folder refused" -- \
		"$SIGNET" save "$R/app:1" "$T80/other"
	check "save: the folder is left alone" -- test "$(ls "$T80/other")" = file
	expect_exit 0 "save an unsigned image" -- "$SIGNET" save \
		"$R/app:unsigned" "$T80/unsigned"
	expect_stderr_match 'no signatures' "save: warns when there are none"
	cp -r "$L" "$T80/tampered-sig"
	cp -r "$L" "$T80/tampered-bundle"
	cp -r "$L" "$T80/tampered-image"

	# no registry from here on
	kill "$REG_T80_PID" 2>/dev/null
	wait "$REG_T80_PID" 2>/dev/null
	expect_exit 2 "offline: the registry is gone" -- "$SIGNET" verify \
		--key "$KEY_A.pub" "$R/app:1"

	expect_exit 0 "verify --offline DIR" -- "$SIGNET" verify --offline "$L" \
		--key "$KEY_A.pub"
	expect_stdout_eq "$pinned" "verify --offline prints the original name pinned"
	expect_exit 0 "verify --offline DIR IMAGE" -- "$SIGNET" verify \
		--offline "$L" --key "$KEY_A.pub" "$R/app:1"
	# under a policy the layout must not name the image (it picks the rule)
	expect_exit 2 "verify --offline under a policy needs IMAGE" -- \
		env SIGNET_POLICY=/nonexistent "$SIGNET" verify --offline "$L"
	expect_error_message "the refusal says to give IMAGE" \
		"give the IMAGE name when a policy decides"
	expect_exit 0 "verify --offline by digest" -- "$SIGNET" verify \
		--offline "$L" --key "$KEY_A.pub" "$pinned"
	expect_exit 0 "verify --offline: cosign signature" -- "$SIGNET" verify \
		--offline "$L" --key "$KEY_A.pub" --format cosign
	expect_exit 0 "verify --offline: bundle referrer (tag schema)" -- \
		"$SIGNET" verify --offline "$L" --key "$KEY_A.pub" \
		--format sigstore-bundle
	expect_exit 0 "list --offline" -- "$SIGNET" list --offline "$L"
	check "list --offline: both signatures" -- test \
		"$(grep -c "^$pinned	" "$LAST_OUT")" = 2
	expect_exit 0 "verify --offline --json" -- "$SIGNET" verify \
		--offline "$L" --key "$KEY_A.pub" --json
	check "verify --offline --json: verified" -- t80_jq "$LAST_OUT" \
		'.[0].verified == true'

	expect_exit 1 "verify --offline: wrong key" -- "$SIGNET" verify \
		--offline "$L" --key "$KEY_B.pub"
	expect_exit 1 "verify --offline: unsigned image" -- "$SIGNET" verify \
		--offline "$T80/unsigned" --key "$KEY_A.pub"
	expect_exit 1 "verify --offline: annotation not signed" -- "$SIGNET" \
		verify --offline "$L" --key "$KEY_A.pub" -a env=prod
	expect_exit 2 "verify --offline: another repository" -- "$SIGNET" \
		verify --offline "$L" --key "$KEY_A.pub" "$R/other:1"
	expect_error_message "verify --offline: another repository: says so" \
		'does not hold'
	expect_exit 2 "verify --offline: not a layout" -- "$SIGNET" verify \
		--offline "$T80/other" --key "$KEY_A.pub"
	expect_error_message "verify --offline: not a layout: says so" \
		'not an OCI image layout'

	# forgeries: bytes changed in the layout
	sig=$(jq -r --arg t "sha256-${dg#sha256:}.sig" '.manifests[] |
		select(.annotations["org.opencontainers.image.ref.name"] == $t)
		| .digest' "$L/index.json")
	pl=$(jq -r '.layers[0].digest' "$L/blobs/sha256/${sig#sha256:}")
	check "tamper: the cosign payload" -- t80_tamper "$T80/tampered-sig" "$pl"
	expect_exit 1 "verify --offline: tampered cosign payload" -- \
		"$SIGNET" verify --offline "$T80/tampered-sig" --key "$KEY_A.pub" \
		--format cosign
	bm=$(jq -r --arg t "sha256-${dg#sha256:}" '.manifests[] |
		select(.annotations["org.opencontainers.image.ref.name"] == $t)
		| .digest' "$L/index.json")
	bm=$(jq -r '.manifests[0].digest' "$L/blobs/sha256/${bm#sha256:}")
	bl=$(jq -r '.layers[0].digest' "$L/blobs/sha256/${bm#sha256:}")
	check "tamper: the bundle" -- t80_tamper "$T80/tampered-bundle" "$bl"
	expect_exit 1 "verify --offline: tampered bundle" -- "$SIGNET" verify \
		--offline "$T80/tampered-bundle" --key "$KEY_A.pub" \
		--format sigstore-bundle
	check "tamper: the image manifest" -- t80_tamper "$T80/tampered-image" "$dg"
	expect_exit 2 "verify --offline: tampered image manifest" -- \
		"$SIGNET" verify --offline "$T80/tampered-image" --key "$KEY_A.pub"
	expect_stderr_match 'digest' "verify --offline: tampered manifest: says so"
	check "offline: nothing wrote to the saved layout" -- \
		t80_layout_ok "$L" "$dg" "$R/app:1"
}

# ---- the real Docker engine ---------------------------------------------------

T80_IMAGES=()
T80_LABEL=signet-t80=$$

t80_have_image() {
	docker image inspect "$1" >/dev/null 2>&1
}

t80_docker_cleanup() {
	local ids
	ids=$(docker ps -aq --filter "label=$T80_LABEL" 2>/dev/null)
	# shellcheck disable=SC2086
	[ -n "$ids" ] && docker rm -f $ids >/dev/null 2>&1
	[ "${#T80_IMAGES[@]}" -gt 0 ] &&
		docker rmi -f "${T80_IMAGES[@]}" >/dev/null 2>&1
	T80_IMAGES=()
}

# t80_push_runnable REF WORD [BINARY]: an image whose entrypoint (BINARY,
# else $T80/hello) gets WORD and prints "signet-t80: WORD"; echo its digest.
t80_push_runnable() {
	local ref=$1 word=$2 bin=${3:-$T80/hello} d ldg cdg diffid arch
	split_ref "$ref"
	d=$(mktemp -d "$WORK/run.XXXXXX") || return 1
	mkdir -p "$d/root"
	cp "$bin" "$d/root/hello" || return 1
	tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner \
		-C "$d/root" -cf "$d/layer.tar" hello || return 1
	gzip -n -c "$d/layer.tar" >"$d/layer.tar.gz" || return 1
	diffid=$(sha256_file "$d/layer.tar") || return 1
	case $(uname -m) in
	x86_64) arch=amd64 ;; aarch64) arch=arm64 ;; *) arch=$(uname -m) ;;
	esac
	printf '{"architecture":"%s","os":"linux","config":{"Entrypoint":["/hello"],"Cmd":["%s"]},"rootfs":{"type":"layers","diff_ids":["%s"]}}' \
		"$arch" "$word" "$diffid" >"$d/config.json"
	ldg=$(reg_put_blob "$SR_HOST" "$SR_REPO" "$d/layer.tar.gz") || return 1
	cdg=$(reg_put_blob "$SR_HOST" "$SR_REPO" "$d/config.json") || return 1
	printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"%s","size":%s},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"%s","size":%s}]}' \
		"$cdg" "$(stat -c %s "$d/config.json")" \
		"$ldg" "$(stat -c %s "$d/layer.tar.gz")" >"$d/manifest.json"
	cp "$d/manifest.json" "$T80/manifest-$word.json"
	reg_put_manifest "$SR_HOST" "$SR_REPO" "$SR_TAG" "$d/manifest.json"
}

# The real docker CLI passes "-e NAME" on from its own environment: the
# container shows whether signet handed docker the signing secrets.
t80_docker_secrets() {
	local R=$R80/envimg dg
	printf '#include <stdio.h>\n#include <stdlib.h>\nint main(int c, char **v)\n{\n\tconst char *p = getenv(c > 1 ? v[1] : "-");\n\tprintf("signet-t80: %%s %%s\\n", c > 1 ? v[1] : "-", p ? p : "(unset)");\n\treturn 0;\n}\n' \
		>"$T80/envprint.c"
	check "docker: build the env printer" -- gcc -static -O2 -s \
		-o "$T80/envprint" "$T80/envprint.c" || return
	dg=$(t80_push_runnable "$R:1" env "$T80/envprint") ||
		{ fail "push the env printer"; return; }
	T80_IMAGES+=("$R@$dg")
	expect_exit 0 "docker: sign envimg:1" -- "$SIGNET" sign \
		--key "$KEY_A.key" "$R:1"
	local v
	for v in SIGNET_PASSWORD COSIGN_PASSWORD SIGNET_PKCS11_PIN; do
		expect_exit 0 "docker: run -e $v" -- env \
			COSIGN_PASSWORD=t80-cosign SIGNET_PKCS11_PIN=t80-pin \
			"$SIGNET" run --key "$KEY_A.pub" -- docker run --rm \
			--label "$T80_LABEL" -e "$v" "$R:1" "$v"
		expect_stdout_eq "signet-t80: $v (unset)" \
			"docker: $v does not reach the container"
	done
	expect_exit 0 "docker: run -e of another variable" -- env \
		T80_MARK=kept "$SIGNET" run --key "$KEY_A.pub" -- docker run \
		--rm --label "$T80_LABEL" -e T80_MARK "$R:1" T80_MARK
	expect_stdout_eq "signet-t80: T80_MARK kept" \
		"docker: other variables still reach it"
}

t80_docker() {
	local R=$R80/run signed evil pinned name
	printf '#include <stdio.h>\nint main(int c, char **v)\n{\n\tprintf("signet-t80: %%s\\n", c > 1 ? v[1] : "-");\n\treturn 0;\n}\n' \
		>"$T80/hello.c"
	check "docker: build a static test binary" -- gcc -static -O2 -s \
		-o "$T80/hello" "$T80/hello.c" || return
	signed=$(t80_push_runnable "$R:1" signed) || { fail "push runnable"; return; }
	evil=$(t80_push_runnable "$R:evil" evil) || { fail "push runnable evil"; return; }
	pinned=$R@$signed
	expect_exit 0 "docker: sign run:1" -- "$SIGNET" sign --key "$KEY_A.key" "$R:1"
	T80_IMAGES+=("$pinned")
	trap 't80_docker_cleanup; lib_cleanup' EXIT

	expect_exit 0 "docker: signet run -- docker run --rm, signed" -- \
		"$SIGNET" run --key "$KEY_A.pub" -- docker run --rm \
		--label "$T80_LABEL" "$R:1"
	expect_stdout_eq "signet-t80: signed" "docker: the container ran, its output only"

	name=signet-t80-$$
	expect_exit 0 "docker: run, kept for inspection" -- "$SIGNET" run \
		--key "$KEY_A.pub" -- docker run --name "$name" \
		--label "$T80_LABEL" "$R:1" inspected
	expect_stdout_eq "signet-t80: inspected" "docker: arguments reach the container"
	check "docker: the container was made from the digest, not the tag" -- \
		test "$(docker inspect -f '{{.Config.Image}}' "$name")" = "$pinned"
	docker rm -f "$name" >/dev/null 2>&1

	# the tag moves after signet verified and before docker pulls: docker
	# still gets what was verified (a wrapper moves it, then runs docker)
	docker rmi -f "$pinned" >/dev/null 2>&1
	mkdir -p "$T80/movebin"
	{
		echo '#!/bin/sh'
		printf 'curl -sf -X PUT -H "Content-Type: application/vnd.oci.image.manifest.v1+json" --data-binary @%q %q >/dev/null || exit 99\n' \
			"$T80/manifest-evil.json" "http://$REG_MAIN/v2/t80/run/manifests/1"
		printf 'exec %q "$@"\n' "$(command -v docker)"
	} >"$T80/movebin/docker"
	chmod +x "$T80/movebin/docker"
	expect_exit 0 "docker: tag moved between verify and pull" -- env \
		PATH="$T80/movebin:$PATH" "$SIGNET" run --key "$KEY_A.pub" -- \
		docker run --rm --label "$T80_LABEL" "$R:1"
	expect_stdout_eq "signet-t80: signed" "docker: ran what was verified, not the new tag"
	check "docker: the tag did move" -- test \
		"$(reg_get_manifest "$REG_MAIN" t80/run 1 | sha256sum | cut -d' ' -f1)" \
		= "${evil#sha256:}"

	expect_exit 1 "docker: tag moved to unsigned content refused" -- \
		"$SIGNET" run --key "$KEY_A.pub" -- docker run --rm \
		--label "$T80_LABEL" "$R:1"
	check "docker: moved tag: nothing ran" -- not grep -q signet-t80 "$LAST_OUT"
	expect_exit 1 "docker: unsigned image refused" -- "$SIGNET" run \
		--key "$KEY_A.pub" -- docker run --rm --label "$T80_LABEL" "$R:evil"
	check "docker: unsigned: nothing ran" -- not grep -q signet-t80 "$LAST_OUT"
	check "docker: unsigned: not even pulled" -- \
		not t80_have_image "$R@$evil"

	reg_put_manifest "$REG_MAIN" t80/run 2 "$T80/manifest-signed.json" >/dev/null
	docker rmi -f "$pinned" >/dev/null 2>&1
	expect_exit 0 "docker: signet run -- docker pull" -- "$SIGNET" run \
		--key "$KEY_A.pub" -- docker pull -q "$R:2"
	check "docker: pulled the digest" -- t80_have_image "$pinned"
	expect_exit 0 "docker: signet run -- docker create" -- "$SIGNET" run \
		--key "$KEY_A.pub" -- docker create --name "$name" \
		--label "$T80_LABEL" "$R:2"
	check "docker: created from the digest" -- \
		test "$(docker inspect -f '{{.Config.Image}}' "$name")" = "$pinned"
	docker rm -f "$name" >/dev/null 2>&1

	# docker signet ...: the CLI plugin, from $DOCKER_CONFIG/cli-plugins
	local cfg=$T80/dockercfg
	mkdir -p "$cfg/cli-plugins"
	cp "$DOCKER_CONFIG/config.json" "$cfg/"
	ln -sf "$SIGNET" "$cfg/cli-plugins/docker-signet"
	expect_exit 0 "plugin: docker signet verify" -- env DOCKER_CONFIG="$cfg" \
		docker signet verify --key "$KEY_A.pub" "$R:2"
	expect_stdout_eq "$pinned" "plugin: docker signet verify prints the pinned name"
	expect_exit 1 "plugin: docker signet verify, unsigned" -- env \
		DOCKER_CONFIG="$cfg" docker signet verify --key "$KEY_A.pub" "$R:evil"
	expect_exit 0 "plugin: docker signet run -- docker run" -- env \
		DOCKER_CONFIG="$cfg" docker signet run --key "$KEY_A.pub" -- \
		docker run --rm --label "$T80_LABEL" "$R:2" plugin
	expect_stdout_eq "signet-t80: plugin" "plugin: the container ran"
	expect_exit 0 "plugin: listed by docker" -- env DOCKER_CONFIG="$cfg" \
		docker --help
	expect_stdout_match '^  signet\*? +Sign and verify images' \
		"plugin: docker --help lists it with its description"

	t80_docker_secrets

	t80_docker_cleanup
	trap lib_cleanup EXIT
	check "docker: no container left behind" -- test -z \
		"$(docker ps -aq --filter "label=$T80_LABEL")"
}

t80_argv_replacement
t80_env_and_path
t80_save_offline
if docker info >/dev/null 2>&1; then
	t80_docker
else
	log "t_80_run: docker engine not available; skipped"
fi
