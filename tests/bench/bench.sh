#!/usr/bin/env bash
# make bench: signet against its peers on one local registry, in one run.
# A benchmark, not a test: it prints figures and fails only when something
# cannot run at all. RUNS=N changes the sample size (default 50).
set -u
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$here/../..
SIGNET=$top/signet
RUNS=${RUNS:-50}
# The peers build into the invoking user's cache (before HOME moves).
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

echo "== signet verify, $RUNS runs, one signed image on docker-registry $REG_BENCH"
# SIGNET_DEBUG traces each request as "METHOD URL -> STATUS"; status 0 is
# the TLS probe a loopback registry that speaks plain HTTP costs.
count() {
	SIGNET_DEBUG=1 "$SIGNET" verify --key bench.pub "$1" 2>&1 >/dev/null |
		grep -c " -> $2"
}
echo "HTTP requests per verify by tag: $(count "$img" '[1-9]')" \
	"(+$(count "$img" 0) TLS probe)"
echo "HTTP requests per verify by digest: $(count "$pinned" '[1-9]')" \
	"(+$(count "$pinned" 0) TLS probe)"

cmds=("signet=$SIGNET verify --key bench.pub $img")
if [ -n "$peers_bin" ]; then
	cmds+=("cosign=$peers_bin/cosign verify --key bench.pub --insecure-ignore-tlog=true --allow-insecure-registry --allow-http-registry $img")
else
	echo "(cosign not available: Go missing or build failed; signet alone)"
fi
python3 "$here/measure.py" "$RUNS" "${cmds[@]}"
