# shellcheck shell=bash
# Several images in one verify: wall time (median of 15), requests, round
# trips per image and peak RSS of 8 signed images, --jobs 1 against the
# default (4), on loopback and through tests/bench/delay.py (20 ms round
# trips). Not a test and not part of make bench; sourced by the
# integration harness for its registries:
#   SIGNET=$PWD/signet bash tests/integration/run.sh \
#	$PWD/tests/bench/verify_many.sh
TB=$WORK/tb; mkdir -p "$TB"
RB=$REG_MAIN/tb
imgs=()
for i in 1 2 3 4 5 6 7 8; do
	dg=$(push_image "$RB/app$i:v1" tb-app$i) || { fail push; return; }
	"$SIGNET" sign --key "$KEY_A.key" "$RB/app$i@$dg" >/dev/null 2>&1 || { fail sign; return; }
	imgs+=("app$i:v1")
done
tb_trips() {
	python3 - "$1" <<'PY'
import re, sys, collections
reqs = collections.defaultdict(list)
n = 0
for line in open(sys.argv[1]):
    m = re.search(r"debug: +([0-9.]+) ms: .*(/v2/[^ ]*?/app[0-9]+)/.* -> [0-9]+.*\(([0-9.]+) ms\)$", line)
    if m:
        end = float(m.group(1)); reqs[m.group(2)].append((end - float(m.group(3)), end)); n += 1
tot = []
for k, v in reqs.items():
    trips, last = 0, float("-inf")
    for start, end in sorted(v):
        if start >= last - 0.05: trips += 1
        last = max(last, end)
    tot.append(trips)
print("%d requests, %d images, round trips per image %s (sum %d)" % (n, len(tot), sorted(set(tot)), sum(tot)))
PY
}
tb_run() {	# HOSTPORT LABEL
	local hp=$1 label=$2 j args t0 ms
	local -a list=()
	for i in "${imgs[@]}"; do list+=("$hp/tb/$i"); done
	for j in 1 4; do
		: >"$TB/times.$j"
	done
	for r in $(seq 1 15); do
		for j in 1 4; do
			t0=$(date +%s%N)
			"$SIGNET" verify --jobs $j --key "$KEY_A.pub" "${list[@]}" >/dev/null 2>&1 || echo "verify failed jobs $j" >&2
			echo $((($(date +%s%N) - t0) / 1000)) >>"$TB/times.$j"
		done
	done
	for j in 1 4; do
		ms=$(sort -n "$TB/times.$j" | sed -n 8p)
		SIGNET_DEBUG=1 "$SIGNET" verify --jobs $j --key "$KEY_A.pub" "${list[@]}" >/dev/null 2>"$TB/dbg.$j"
		/usr/bin/time -o "$TB/rss" -f %M "$SIGNET" verify --jobs $j --key "$KEY_A.pub" "${list[@]}" >/dev/null 2>&1; rss=$(cat "$TB/rss")
		rt=$(tb_trips "$TB/dbg.$j")
		printf '%s --jobs %s: median wall %d.%03d ms (min %s us), %s, peak RSS %s KiB\n' \
			"$label" $j $((ms/1000)) $((ms%1000)) "$(sort -n "$TB/times.$j" | head -1)" "$rt" "$rss" >&2
	done
	/usr/bin/time -o "$TB/rss" -f %M "$SIGNET" verify --key "$KEY_A.pub" "${list[0]}" >/dev/null 2>&1; rss=$(cat "$TB/rss")
	echo "$label one image: peak RSS $rss KiB" >&2
}
echo "load: $(cat /proc/loadavg)" >&2
tb_run "$REG_MAIN" loopback
pf=$TB/delay.port
python3 "$here/../bench/delay.py" "$pf" "${REG_MAIN##*:}" 10 >/dev/null 2>&1 &
dpid=$!
for _ in $(seq 20); do [ -s "$pf" ] && break; sleep 0.2; done
# signed again through the proxy (the claim names its port): two
# signatures, so 4 requests an image there
for i in "${imgs[@]}"; do "$SIGNET" sign --key "$KEY_A.key" "127.0.0.1:$(cat "$pf")/tb/$i" >/dev/null 2>&1 || echo "sign via proxy failed" >&2; done
tb_run "127.0.0.1:$(cat "$pf")" "20ms-RTT"
kill $dpid; wait $dpid 2>/dev/null
echo "load: $(cat /proc/loadavg)" >&2
pass bench
