#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Integration tests: the real signet binary against real docker-registry
# instances on 127.0.0.1. Builds nothing (`make integration` builds ./signet
# first). Environment:
#   SIGNET=PATH    the binary to test (default: ../../signet)
#   VERBOSE=1      list passing checks too
#   KEEP_WORK=1    keep the temporary folder (trace.log: every command run,
#                  its exit code, stdout and stderr)
#   SLOW_MS=N      report commands slower than N ms
#   CMD_TIMEOUT=S  time limit per command (default 60)
#
#   bash tests/integration/run.sh [t_XX_name.sh...]
#
# Prints "N passed, N failed" last; exits non-zero when anything failed.
set -u

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SIGNET=${SIGNET:-$here/../../signet}
case $SIGNET in /*) ;; *) SIGNET=$PWD/$SIGNET ;; esac
if [ ! -x "$SIGNET" ]; then
	echo "integration: no signet binary at '$SIGNET' (run make)" >&2
	exit 2
fi
export SIGNET

for tool in docker-registry htpasswd openssl curl jq python3; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "integration: '$tool' is missing (make deps)" >&2
		exit 2
	fi
done

# shellcheck source=lib.sh
. "$here/lib.sh"

# Test a snapshot: a rebuild during the run must not change the binary.
cp "$SIGNET" "$WORK/signet" || exit 2
SIGNET=$WORK/signet

# No user configuration leaks in: an empty docker config by default.
export DOCKER_CONFIG=$WORK/docker-empty
mkdir -p "$DOCKER_CONFIG"
echo '{"auths":{}}' >"$DOCKER_CONFIG/config.json"

SECURE_USER=signet-tester
SECURE_PASS=reg-pass-$$-$RANDOM-s3cret
reg_start main || exit 2
reg_start secure --tls --auth "$SECURE_USER:$SECURE_PASS" || exit 2
export SECURE_USER SECURE_PASS
keys_setup || { summary; exit 1; }

start=$SECONDS
if [ $# -gt 0 ]; then
	files=("$@")
else
	files=("$here"/t_*.sh)
fi
for f in "${files[@]}"; do
	case $f in */*) ;; *) f=$here/$f ;; esac
	t0=$SECONDS
	# shellcheck source=/dev/null
	. "$f"
	log "== ${f##*/}: $((SECONDS - t0)) s"
done

# Whatever ran, no passphrase may have been printed.
expect_no_leak "$SIGNET_PASSWORD" "signing passphrase never printed"
expect_no_leak "$SECURE_PASS" "registry password never printed"

log "== $((SECONDS - start)) s"
summary
