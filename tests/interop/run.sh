#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Interop tests: the real signet binary and the real peer tools (cosign,
# notation, oras, crane, built at pinned versions by peers.sh) against a
# docker-registry on 127.0.0.1. `make interop` runs this. Environment:
#   SIGNET=PATH    the binary to test (default: ../../signet)
#   VERBOSE=1      list passing checks too
#   KEEP_WORK=1    keep the temporary folder (trace.log: every command run,
#                  its exit code, stdout and stderr)
#   SLOW_MS=N      report commands slower than N ms
#   CMD_TIMEOUT=S  time limit per command (default 60)
#
#   bash tests/interop/run.sh [t_name.sh...]
#
# Each t_*.sh here is sourced with lib.sh's helpers, REG_MAIN (a plain-HTTP
# docker-registry, no referrers API), KEY_A / KEY_B (signet key pairs,
# passphrase $SIGNET_PASSWORD) and PEERS_BIN, COSIGN, NOTATION, ORAS, CRANE
# (absolute paths of the peer tools). Skipped (exit 0) when Go is absent.
# Prints "N passed, N failed" last; exits non-zero when anything failed.
set -u

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# The peers first: peers.sh keeps its cache and Go's module cache under
# the invoking HOME, which lib.sh's commands no longer see.
PEERS_BIN=$(bash "$here/peers.sh")
rc=$?
case $rc in
0) ;;
3)
	echo "interop: Go not found; skipped"
	exit 0
	;;
*)
	echo "interop: building the peer tools failed (peers.sh exit $rc)" >&2
	exit 1
	;;
esac
COSIGN=$PEERS_BIN/cosign
NOTATION=$PEERS_BIN/notation
ORAS=$PEERS_BIN/oras
CRANE=$PEERS_BIN/crane
for t in "$COSIGN" "$NOTATION" "$ORAS" "$CRANE"; do
	if [ ! -x "$t" ]; then
		echo "interop: peers.sh left no '$t'" >&2
		exit 1
	fi
done
export PEERS_BIN COSIGN NOTATION ORAS CRANE

# shellcheck source=../lib/bootstrap.sh
. "$here/../lib/bootstrap.sh" interop \
	docker-registry openssl curl jq python3 sha256sum

reg_start main || exit 2
keys_setup || { summary; exit 1; }

boot_files "$here" "$@"
for f in "${BOOT_FILES[@]}"; do
	t0=$SECONDS
	# shellcheck source=/dev/null
	. "$f"
	log "== ${f##*/}: $((SECONDS - t0)) s"
done

boot_finish
