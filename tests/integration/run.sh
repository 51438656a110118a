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
# shellcheck source=../lib/bootstrap.sh
. "$here/../lib/bootstrap.sh" integration \
	docker-registry htpasswd openssl curl jq python3

SECURE_USER=signet-tester
SECURE_PASS=reg-pass-$$-$RANDOM-s3cret
reg_start main || exit 2
reg_start secure --tls --auth "$SECURE_USER:$SECURE_PASS" || exit 2
export SECURE_USER SECURE_PASS
keys_setup || { summary; exit 1; }

boot_files "$here" "$@"
for f in "${BOOT_FILES[@]}"; do
	t0=$SECONDS
	# shellcheck source=/dev/null
	. "$f"
	log "== ${f##*/}: $((SECONDS - t0)) s"
done

boot_finish "$SECURE_PASS" "registry password never printed"
