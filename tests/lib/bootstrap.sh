# shellcheck shell=bash
# The start and the end that tests/integration/run.sh and tests/interop/run.sh
# share, so the two suites find, check and snapshot signet the same way and
# close with the same "N passed, N failed" line (CI reads it).
#
#   . tests/lib/bootstrap.sh SUITE TOOL...
#
# SUITE names the suite in messages; each TOOL must be on PATH. Sourced at
# the top level (lib.sh's `declare -A` tables must stay global), it:
#   - takes the binary from SIGNET (default: ../../signet from the suite's
#     folder, i.e. the top of the tree), made absolute, and checks it runs;
#   - checks the tools, then sources tests/integration/lib.sh (WORK, the
#     pass/fail counters, the registry and assertion helpers);
#   - copies signet into $WORK and points SIGNET at the copy;
#   - points DOCKER_CONFIG at an empty docker config.
# A missing binary or tool exits 2 before any test runs.
# Then the suite starts its registries, lists its files with boot_files,
# sources them (at the top level too: a test file's `declare` must stay
# global) and ends with boot_finish.

boot_suite=$1
shift
boot_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

SIGNET=${SIGNET:-$boot_dir/../../signet}
case $SIGNET in /*) ;; *) SIGNET=$PWD/$SIGNET ;; esac
if [ ! -x "$SIGNET" ]; then
	echo "$boot_suite: no signet binary at '$SIGNET' (run make)" >&2
	exit 2
fi
export SIGNET

for boot_tool in "$@"; do
	if ! command -v "$boot_tool" >/dev/null 2>&1; then
		echo "$boot_suite: '$boot_tool' is missing (make deps)" >&2
		exit 2
	fi
done

# shellcheck source=../integration/lib.sh
. "$boot_dir/../integration/lib.sh"

# Test a snapshot: a rebuild during the run must not change the binary.
cp "$SIGNET" "$WORK/signet" || exit 2
SIGNET=$WORK/signet

# No user configuration leaks in, for signet nor for the peer tools (they
# read DOCKER_CONFIG too): an empty docker config.
export DOCKER_CONFIG=$WORK/docker-empty
mkdir -p "$DOCKER_CONFIG"
echo '{"auths":{}}' >"$DOCKER_CONFIG/config.json"

# boot_files DIR [FILE...]: BOOT_FILES is the FILEs named (a bare name is
# taken from DIR), or else every DIR/t_*.sh in order. The suite's clock
# starts here, once its registries are up.
boot_files() {
	local dir=$1 f
	shift
	boot_start=$SECONDS
	BOOT_FILES=()
	if [ $# -eq 0 ]; then
		BOOT_FILES=("$dir"/t_*.sh)
		return
	fi
	for f in "$@"; do
		case $f in */*) ;; *) f=$dir/$f ;; esac
		BOOT_FILES+=("$f")
	done
}

# boot_finish [SECRET LABEL]...: whatever ran, neither the signing
# passphrase nor any SECRET given may have been printed; then the total
# time and the closing "N passed, N failed". Returns non-zero when
# anything failed.
boot_finish() {
	expect_no_leak "$SIGNET_PASSWORD" "signing passphrase never printed"
	while [ $# -ge 2 ]; do
		expect_no_leak "$1" "$2"
		shift 2
	done
	log "== $((SECONDS - boot_start)) s"
	summary
}
