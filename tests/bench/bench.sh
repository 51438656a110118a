#!/usr/bin/env bash
# make bench: signet against its peers on one local registry, in one run.
# A benchmark, not a test: it prints figures and fails only when something
# cannot run at all. RUNS=N changes the sample size (default 50);
# BENCH_PEERS=0 leaves cosign out (no Go build); BENCH_KEYLESS=0 skips the
# keyless part; SIGNET=PATH benchmarks
# that binary; BENCH_BEFORE=PATH puts the request counts of another
# (an older build) beside it.
set -u
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$here/../..
SIGNET=${SIGNET:-$top/signet}
BEFORE=${BENCH_BEFORE:-}
RUNS=${RUNS:-50}
# The peers build into the invoking user's cache (before HOME moves).
peers_bin=
[ "${BENCH_PEERS:-1}" = 0 ] ||
	peers_bin=$("$top/tests/interop/peers.sh" cosign) || peers_bin=
# shellcheck source=tests/integration/lib.sh
. "$top/tests/integration/lib.sh"

export DOCKER_CONFIG=$WORK/docker HOME=$WORK/home
mkdir -p "$DOCKER_CONFIG" "$HOME"
echo '{"auths":{}}' >"$DOCKER_CONFIG/config.json"
reg_start bench || exit 2
export SIGNET_PASSWORD=bench-passphrase COSIGN_PASSWORD=bench-passphrase
cd "$WORK" || exit 2
"$SIGNET" keys generate bench >/dev/null || exit 2
img=$REG_BENCH/bench/app:1.0
push_image "$img" bench >/dev/null || exit 2
pinned=$("$SIGNET" sign --key bench.key "$img" 2>/dev/null) || exit 2

# ---- start-up and memory -----------------------------------------------------
# signet version against the floor of a program that links OpenSSL 3 and
# computes one SHA-256 (tests/bench/floor.c; `make bench` builds it) and
# against an empty C program. Goal: signet version <= 1.3 x floor; one
# verify's peak RSS <= 8 MiB.
if [ -x "${FLOOR:-}" ] && [ -x "${EMPTY:-}" ]; then
	echo "== start: signet version and the floors, ${START_RUNS:-200} runs" \
		"(load average $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) CPUs;" \
		"$(ldd "$SIGNET" | grep -c '=>') shared libraries)"
	python3 "$here/measure.py" "${START_RUNS:-200}" "floor=$FLOOR" \
		"signet-version=$SIGNET version" "empty=$EMPTY"
fi
if [ -x /usr/bin/time ]; then
	rss=$(/usr/bin/time -f %M "$SIGNET" verify --key bench.pub "$img" \
		2>&1 >/dev/null | tail -n 1)
	echo "peak RSS of one signet verify: $rss KiB (goal <= 8192)"
fi
echo

echo "== signet verify, $RUNS runs, one signed image on docker-registry $REG_BENCH"
# SIGNET_DEBUG traces each request as "METHOD URL -> STATUS (T ms)"; status
# 0 is the TLS probe a loopback registry that speaks plain HTTP costs.
# Sequential round trips: requests that start only after every earlier
# one ended (overlapping requests count once); a trace without times
# (older builds) counts each request.
trace_counts() {
	python3 -c '
import re, sys
reqs = []
for line in sys.stdin:
    m = re.search(r"debug: +([0-9.]+) ms: .* -> ([0-9]+)(.*)$", line)
    if not m:
        continue
    t = re.search(r"\(([0-9.]+) ms\)$", m.group(3))
    end = float(m.group(1))
    reqs.append((end - (float(t.group(1)) if t else 0), end,
                 m.group(2) != "0"))
trips, last = 0, float("-inf")
for start, end, _ in sorted(reqs):
    if start >= last - 0.05:
        trips += 1
    last = max(last, end)
n = sum(1 for r in reqs if r[2])
print(f"{n} requests, {trips} sequential round trips"
      f" (+{len(reqs) - n} TLS probe)")'
}
verify_counts() {
	SIGNET_DEBUG=1 "$1" verify --key bench.pub "$2" 2>&1 >/dev/null |
		trace_counts
}
for v in "by tag:$img" "by digest:$pinned"; do
	echo "per verify ${v%%:*}: $(verify_counts "$SIGNET" "${v#*:}")"
	[ -z "$BEFORE" ] ||
		echo "  before ($BEFORE): $(verify_counts "$BEFORE" "${v#*:}")"
done

# bench_replay IMAGE FILE: the requests one signet verify of IMAGE makes
# (from its trace), as a curl config for one curl process: one after the
# other over one connection, each with the Accept header signet sends.
bench_replay() {
	SIGNET_DEBUG=1 "$SIGNET" verify --key bench.pub "$1" 2>&1 >/dev/null |
		python3 -c '
import re, sys
ACCEPT = {
    "manifests": "application/vnd.oci.image.manifest.v1+json, "
                 "application/vnd.oci.image.index.v1+json, "
                 "application/vnd.docker.distribution.manifest.v2+json, "
                 "application/vnd.docker.distribution.manifest.list.v2+json",
    "referrers": "application/vnd.oci.image.index.v1+json",
}
first = True
for line in sys.stdin:
    m = re.search(r": GET (http[^ ]*) -> [1-9]", line)
    if not m:
        continue
    url = m.group(1)
    if not first:
        print("next")
    first = False
    print(f"url = \"{url}\"\noutput = \"/dev/null\"\nsilent")
    print("write-out = \"%{time_total}\\n\"")
    kind = re.search(r"/v2/.*/(manifests|referrers|blobs)/", url)
    if kind and kind.group(1) in ACCEPT:
        print(f"header = \"Accept: {ACCEPT[kind.group(1)]}\"")
' >"$2"
	grep -c '^url' "$2"
}

# notation: the same image signed by signet in notation's format with an
# X.509 key, and a NOTATION_CONFIG that trusts that certificate alone
bench_notation() {
	local nc=$WORK/notation
	[ -x "$peers_bin/notation" ] || return 1
	"$SIGNET" keys generate --x509 --subject "O=signet bench,CN=bench" \
		bench-x509 >/dev/null 2>&1 &&
	"$SIGNET" sign --format notation --key bench-x509.key \
		--cert bench-x509.crt "$pinned" >/dev/null 2>&1 || return 1
	mkdir -p "$nc"
	echo '{"version":"1.0","trustPolicies":[{"name":"bench","registryScopes":["*"],"signatureVerification":{"level":"strict"},"trustStores":["ca:bench"],"trustedIdentities":["*"]}]}' \
		>"$nc/trustpolicy.json"
	NOTATION_CONFIG=$nc "$peers_bin/notation" cert add --type ca \
		--store bench bench-x509.crt >/dev/null 2>&1 &&
	NOTATION_CONFIG=$nc "$peers_bin/notation" verify --insecure-registry \
		"$pinned" >/dev/null 2>&1 || return 1
	export NOTATION_CONFIG=$nc
}

# bench_registry_ms FILE: the registry's own time for the requests of
# curl config FILE, in ms: the sum of curl's time_total for each (connect
# and first byte included, curl's own start not), median of $RUNS runs.
bench_registry_ms() {
	local k
	for ((k = 0; k < RUNS; k++)); do
		curl -K "$1" | awk '{ s += $1 } END { print s * 1000 }'
	done | python3 -c 'import statistics, sys
print(f"{statistics.median(float(v) for v in sys.stdin):.2f}")'
}

n_tag=$(bench_replay "$img" "$WORK/replay-tag.curl")
n_dig=$(bench_replay "$pinned" "$WORK/replay-digest.curl")
cmds=("signet-tag=$SIGNET verify --key bench.pub $img"
      "signet-digest=$SIGNET verify --key bench.pub $pinned")
if [ -n "$peers_bin" ]; then
	cmds+=("cosign-tag=$peers_bin/cosign verify --key bench.pub --insecure-ignore-tlog --allow-insecure-registry --allow-http-registry $img")
else
	echo "(cosign not available: Go missing or build failed)"
fi
if [ -n "$peers_bin" ] && bench_notation; then
	cmds+=("notation-digest=$peers_bin/notation verify --insecure-registry $pinned")
else
	echo "(notation: not built, or it could not be set up)"
fi
cmds+=("curl-replay-tag=curl -K $WORK/replay-tag.curl"
       "curl-replay-digest=curl -K $WORK/replay-digest.curl"
       "curl-start=curl -s --version")
[ -x "${FLOOR:-}" ] && cmds+=("floor=$FLOOR")
echo "(curl-replay-*: signet's own $n_tag / $n_dig requests by tag / by" \
	"digest, one curl process, one connection; curl-start: that curl" \
	"doing nothing)"
BENCH_REGISTRY_TAG_MS=$(bench_registry_ms "$WORK/replay-tag.curl")
BENCH_REGISTRY_DIGEST_MS=$(bench_registry_ms "$WORK/replay-digest.curl")
echo "the registry's own time for signet's requests (the sum of curl's" \
	"time_total over them, median of $RUNS replays): by tag" \
	"$BENCH_REGISTRY_TAG_MS ms, by digest $BENCH_REGISTRY_DIGEST_MS ms"
BENCH_REGISTRY_TAG_MS=$BENCH_REGISTRY_TAG_MS \
BENCH_REGISTRY_DIGEST_MS=$BENCH_REGISTRY_DIGEST_MS \
	python3 "$here/measure.py" --summary "$RUNS" "${cmds[@]}"
echo

# ---- keyless: a Fulcio certificate and a Rekor entry instead of a key ---------
# An image signed keyless by a private Sigstore instance of the test tool
# (tests/tools/sigstore_instance: its own CA, CT log, Rekor key and
# trusted root), verified by identity and issuer against that root, by
# signet and by cosign: the same image, root and options. No network
# beyond the registry for either.
bench_keyless() {
	local si=$WORK/keyless-instance kimg kdg id iss kcmds=()
	local tool=${SIGSTORE_INSTANCE:-$top/build/plain/tests/tools/sigstore_instance}
	id=https://github.com/signet/bench/.github/workflows/release.yml@refs/tags/v1
	iss=https://token.actions.githubusercontent.com
	[ -x "$tool" ] || { echo "(keyless: no $tool; make sigstore-instance)"; return; }
	SIGSTORE_INSTANCE=$tool
	"$tool" init "$si" >/dev/null || { echo "(keyless: init failed)"; return; }
	kimg=$REG_BENCH/bench/keyless:1.0
	kdg=$(push_image "$kimg" bench-keyless) &&
	keyless_sign_image "$REG_BENCH/bench/keyless" "$kdg" "$si" "$id" \
		"$iss" >/dev/null || { echo "(keyless: signing failed)"; return; }
	local ko="--trusted-root $si/trusted_root.json --certificate-identity $id --certificate-oidc-issuer $iss"
	# shellcheck disable=SC2086
	"$SIGNET" verify $ko "$kimg" >/dev/null 2>&1 ||
		{ echo "(keyless: signet does not verify it)"; return; }
	echo "== keyless verify, $RUNS runs: one image signed by identity $id"
	# shellcheck disable=SC2086
	echo "per keyless verify by tag: $(SIGNET_DEBUG=1 "$SIGNET" verify $ko \
		"$kimg" 2>&1 >/dev/null | trace_counts)"
	kcmds=("signet-keyless-tag=$SIGNET verify $ko $kimg"
	       "signet-key-tag=$SIGNET verify --key bench.pub $img")
	[ -n "$peers_bin" ] &&
		kcmds+=("cosign-keyless-tag=$peers_bin/cosign verify $ko --allow-insecure-registry --allow-http-registry $kimg")
	python3 "$here/measure.py" --summary "$RUNS" "${kcmds[@]}"
	echo
}
[ "${BENCH_KEYLESS:-1}" = 0 ] || bench_keyless

# ---- the same over a network's round trips -----------------------------------
# On loopback a round trip is the registry's own time, and requests sent
# side by side compete with it for the same 2 CPUs: overlap shows little.
# tests/bench/delay.py puts BENCH_RTT_MS (default 20; 0 skips this) into
# every round trip and connection set-up, as a network would, without
# touching the host's network. An image of its own, signed through it
# (a signature names the host it was given).
bench_rtt() {
	local rtt=${BENCH_RTT_MS:-20} pf=$WORK/delay.port pid hp n k
	local rimg rpin rcmds=()
	python3 "$here/delay.py" "$pf" "${REG_BENCH##*:}" "$((rtt / 2))" \
		</dev/null >/dev/null 2>&1 &
	pid=$!
	for ((n = 0; n < 50; n++)); do
		[ -s "$pf" ] && break
		sleep 0.1
	done
	[ -s "$pf" ] || { echo "(delay.py did not start)"; kill "$pid"; return; }
	hp=127.0.0.1:$(cat "$pf")
	rimg=$hp/bench/rtt:1.0
	push_image "$REG_BENCH/bench/rtt:1.0" rtt >/dev/null &&
	rpin=$("$SIGNET" sign --key bench.key "$rimg" 2>/dev/null) || {
		echo "(signing through delay.py failed)"
		kill "$pid"
		return
	}
	echo "== signet verify with $rtt ms round trips (tests/bench/delay.py" \
		"in front of $REG_BENCH), $RUNS runs"
	for k in "by tag:$rimg" "by digest:$rpin"; do
		echo "per verify ${k%%:*}: $(verify_counts "$SIGNET" "${k#*:}")"
	done
	rcmds=("signet-tag=$SIGNET verify --key bench.pub $rimg"
	       "signet-digest=$SIGNET verify --key bench.pub $rpin")
	[ -z "$BEFORE" ] ||
		rcmds+=("before-tag=$BEFORE verify --key bench.pub $rimg"
			"before-digest=$BEFORE verify --key bench.pub $rpin")
	python3 "$here/measure.py" "$RUNS" "${rcmds[@]}"
	kill "$pid"
	wait "$pid" 2>/dev/null
	echo
}
[ "${BENCH_RTT_MS:-20}" = 0 ] || bench_rtt

# ---- signet audit: a whole registry ------------------------------------------
# 1000 images in 50 repositories, half signed, on a registry of its own.
# Figures: audit's images/s; the registry's own ceiling for the very
# requests audit makes (replayed by one curl process, 8 at a time) over
# audit's requests per image; signet verify over the same images. Audit
# and curl take turns so that a busy moment of the machine hits both.
# BENCH_AUDIT=0 skips this part.

bench_ms() {
	echo $(( ${EPOCHREALTIME/[.,]/} / 1000 ))
}

# bench_parallel WANT FILE: run the transfers of curl config FILE, 8 at a
# time; print "CODE URL" for each whose status is not WANT (a failure).
bench_parallel() {
	curl --parallel --parallel-max 8 -K "$2" 2>/dev/null |
		awk -v want="$1" '$1 != want'
}

# bench_audit_seed HOST:PORT REPOS PER_REPO SIGNED_PER_REPO: one config and
# one layer blob, pushed once and mounted into each repository, then one
# manifest per image (they differ by an annotation); curl, 8 at a time.
# docker-registry refuses a mount now and then when busy (HTTP 400, or a
# 202 that opens an upload instead): those repositories get the blob by
# a plain upload, one after the other; a manifest PUT refused is sent
# again, up to 5 times.
bench_audit_seed() {
	local hp=$1 nr=$2 ni=$3 ns=$4 d=$WORK/audit-seed r i repo m
	local ldg cdg ls cs t0 code url k bad
	local w='write-out = "%{http_code} %{url_effective}\n"'
	mkdir -p "$d"
	printf 'signet bench layer\n' >"$d/layer"
	printf '{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":["%s"]}}' \
		"$(sha256_file "$d/layer")" >"$d/config.json"
	ls=$(stat -c %s "$d/layer")
	cs=$(stat -c %s "$d/config.json")
	t0=$(bench_ms)
	ldg=$(reg_put_blob "$hp" bench/r00 "$d/layer") &&
		cdg=$(reg_put_blob "$hp" bench/r00 "$d/config.json") || return 1
	: >"$d/images"
	: >"$d/to-sign"
	: >"$d/mounts.curl"
	: >"$d/puts.curl"
	for ((r = 1; r < nr; r++)); do
		printf -v repo 'bench/r%02d' "$r"
		for m in "$ldg" "$cdg"; do
			printf 'next\nurl = "%s"\nrequest = POST\noutput = /dev/null\n%s\n' \
				"http://$hp/v2/$repo/blobs/uploads/?mount=$m&from=bench/r00" \
				"$w" >>"$d/mounts.curl"
		done
	done
	for ((r = 0; r < nr; r++)); do
		printf -v repo 'bench/r%02d' "$r"
		for ((i = 0; i < ni; i++)); do
			m=$d/$r-$i.json
			printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"%s","size":%s},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"%s","size":%s}],"annotations":{"bench":"%s/%s"}}' \
				"$cdg" "$cs" "$ldg" "$ls" "$repo" "$i" >"$m"
			printf 'next\nurl = "%s"\nrequest = PUT\ndata-binary = "@%s"\nheader = "Content-Type: application/vnd.oci.image.manifest.v1+json"\noutput = /dev/null\n%s\n' \
				"http://$hp/v2/$repo/manifests/t$i" "$m" "$w" \
				>>"$d/puts.curl"
			echo "$hp/$repo:t$i" >>"$d/images"
			[ "$i" -lt "$ns" ] && echo "$hp/$repo:t$i" >>"$d/to-sign"
		done
	done
	bench_parallel 201 "$d/mounts.curl" >"$d/mounts.bad"
	while read -r code url; do
		repo=${url#http://"$hp"/v2/}
		repo=${repo%/blobs/*}
		m=$([ "${url#*mount=}" = "$ldg&from=bench/r00" ] &&
			echo "$d/layer" || echo "$d/config.json")
		echo "mount into $repo: HTTP $code; uploading instead"
		reg_put_blob "$hp" "$repo" "$m" >/dev/null || return 1
	done <"$d/mounts.bad"
	bench_parallel 201 "$d/puts.curl" >"$d/puts.bad"
	while read -r code url; do
		repo=${url#http://"$hp"/v2/}
		i=${repo##*/t}
		repo=${repo%/manifests/*}
		r=$((10#${repo#bench/r}))
		echo "PUT manifest $repo:t$i: HTTP $code; sending it again"
		for ((k = 0; k < 5; k++)); do
			bad=$(curl -sS -o /dev/null -w '%{http_code}' -X PUT \
				--data-binary "@$d/$r-$i.json" \
				-H 'Content-Type: application/vnd.oci.image.manifest.v1+json' \
				"$url") && [ "$bad" = 201 ] && break
			sleep 0.2
		done
		[ "$k" -lt 5 ] || return 1
	done <"$d/puts.bad"
	echo "seeded $((nr * ni)) images in $nr repositories:" \
		"$(( $(bench_ms) - t0 )) ms (curl: blobs mounted, a manifest" \
		"per image)"
	t0=$(bench_ms)
	xargs -P 4 -n 25 "$SIGNET" sign --key audit.key <"$d/to-sign" \
		>/dev/null 2>&1 || return 1
	echo "signed $(wc -l <"$d/to-sign") of them: $(( $(bench_ms) - t0 ))" \
		"ms (signet sign, 4 processes of 25 images at a time)"
}

# bench_time CMD...: wall time of CMD in ms, output discarded.
bench_time() {
	local t0
	t0=$(bench_ms)
	"$@" >/dev/null 2>&1
	echo $(( $(bench_ms) - t0 ))
}

bench_verify_loop() {
	local img
	while read -r img; do
		"$SIGNET" verify --key audit.pub "$img"
	done <"$WORK/audit-seed/sample"
	return 0
}

bench_audit() {
	local hp n_img n_req n_sample rc k runs=${AUDIT_RUNS:-3}
	local ta=() tc=() t_audit1 t_loop t_one c0 c1 cpu=0
	local accept='Accept: application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.v2+json, application/vnd.docker.distribution.manifest.list.v2+json'
	reg_start audit || return 2
	hp=$REG_AUDIT
	"$SIGNET" keys generate audit >/dev/null || return 2
	echo
	echo "== signet audit: 1000 images in 50 repositories, half signed," \
		"docker-registry $hp, $(nproc) CPUs"
	bench_audit_seed "$hp" 50 20 10 || { echo "seeding failed"; return 2; }
	n_img=$(wc -l <"$WORK/audit-seed/images")
	awk 'NR % 10 == 1' "$WORK/audit-seed/images" >"$WORK/audit-seed/sample"
	n_sample=$(wc -l <"$WORK/audit-seed/sample")

	# one traced run: the requests audit makes, and its verdicts
	SIGNET_DEBUG=1 "$SIGNET" audit --quiet --key audit.pub "$hp" \
		>"$WORK/audit.out" 2>"$WORK/audit.trace"
	rc=$?
	echo "signet audit --key audit.pub $hp: $(tail -n 1 "$WORK/audit.out")"
	if [ "$rc" != 1 ] || ! grep -q "^$n_img images.* 500 signed, 500 unsigned, 0 invalid, 0 error" "$WORK/audit.out"; then
		echo "audit did not find 500 signed and 500 unsigned (exit $rc)"
		return 2
	fi
	n_req=$(grep -c ' -> [1-9]' "$WORK/audit.trace")
	if [ -n "$BEFORE" ]; then
		SIGNET_DEBUG=1 "$BEFORE" audit --quiet --key audit.pub "$hp" \
			>"$WORK/audit-before.out" 2>"$WORK/audit-before.trace"
		echo "  before ($BEFORE): $(tail -n 1 "$WORK/audit-before.out")"
		echo "  HTTP requests per image in an audit, before:" \
			"$(grep -c ' -> [1-9]' "$WORK/audit-before.trace" |
			   awk -v n="$n_img" '{printf "%.2f", $1 / n}')"
		cmp -s <(grep -v '^[0-9]' "$WORK/audit.out" | sort) \
			<(grep -v '^[0-9]' "$WORK/audit-before.out" | sort) ||
			echo "  VERDICTS DIFFER from before"
	fi
	sed -n 's/.*: GET \(http[^ ]*\) -> [1-9].*/url = "\1"\noutput = "\/dev\/null"/p' \
		"$WORK/audit.trace" >"$WORK/audit.curl"

	# the registry's CPU time while audit runs: how busy audit keeps it
	c0=$(awk '{print $14 + $15}' "/proc/$REG_AUDIT_PID/stat")
	for ((k = 0; k < runs; k++)); do
		ta+=("$(bench_time "$SIGNET" audit --quiet --key audit.pub "$hp")")
		c1=$(awk '{print $14 + $15}' "/proc/$REG_AUDIT_PID/stat")
		cpu=$((cpu + (c1 - c0) * 1000 / $(getconf CLK_TCK)))
		tc+=("$(bench_time curl -s --parallel --parallel-immediate \
			--parallel-max 8 -H "$accept" -K "$WORK/audit.curl")")
		c0=$(awk '{print $14 + $15}' "/proc/$REG_AUDIT_PID/stat")
	done
	t_audit1=$(bench_time "$SIGNET" audit --quiet --jobs 1 \
		--key audit.pub "$hp")
	t_loop=$(bench_time bench_verify_loop)
	t_one=$(bench_time xargs "$SIGNET" verify --key audit.pub \
		<"$WORK/audit-seed/images")

	python3 - "$n_img" "$n_req" "$n_sample" "$t_audit1" "$t_loop" \
		"$t_one" "$cpu" "${ta[*]}" "${tc[*]}" <<-'PY'
	import statistics, sys
	n, req, ns, ta1, tl, t1, cpu = map(int, sys.argv[1:8])
	tas = [int(t) for t in sys.argv[8].split()]
	ta = statistics.median(tas)
	tc = statistics.median(map(int, sys.argv[9].split()))
	runs = len(tas)
	rpi = req / n
	ceil_rps = req / (tc / 1000)
	ceil_ips = ceil_rps / rpi
	ips = lambda ms, k=n: k / (ms / 1000)
	print(f"HTTP requests per image in an audit: {rpi:.2f} "
	      f"({req} for {n} images, catalog and tag lists included)")
	print(f"signet audit (8 jobs)      {ta:7.0f} ms {ips(ta):7.0f} images/s"
	      f"  (median of {runs})")
	print(f"registry ceiling           {tc:7.0f} ms {ceil_ips:7.0f} images/s"
	      f"  ({ceil_rps:.0f} requests/s over {rpi:.2f} per image;"
	      f" median of {runs})")
	print("  (audit's own requests, replayed by one curl process, "
	      "--parallel-max 8)")
	print(f"signet audit --jobs 1      {ta1:7d} ms {ips(ta1):7.0f} images/s")
	print(f"signet verify, one process {t1:7d} ms {ips(t1):7.0f} images/s"
	      "  (every image, one after the other)")
	print(f"signet verify, shell loop  {tl:7d} ms {ips(tl, ns):7.0f} images/s"
	      f"  (a process per image; {ns} of them)")
	print(f"audit / ceiling: {100 * ips(ta) / ceil_ips:.0f} % (goal >= 80 %);"
	      f" audit / shell loop: x{ips(ta) / ips(tl, ns):.1f}")
	print(f"the registry's CPU time during audit: {cpu / sum(tas):.2f} s per"
	      f" s of audit ({cpu / (req * runs):.2f} ms per request)")
	PY
}

if [ "${BENCH_AUDIT:-1}" != 0 ]; then
	bench_audit || exit 2
fi
