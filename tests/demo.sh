#!/usr/bin/env bash
# A short tour against a throwaway local registry: generate a key, push a
# tiny image, sign it, verify it, then show verification refusing an image
# whose tag was moved to unsigned content. Run with `make demo`.
set -u
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SIGNET=$here/../signet
# shellcheck source=tests/integration/lib.sh
. "$here/integration/lib.sh"

export DOCKER_CONFIG=$WORK/docker HOME=$WORK
mkdir -p "$DOCKER_CONFIG"
echo '{"auths":{}}' >"$DOCKER_CONFIG/config.json"
reg_start demo || exit 2
run() { printf '\n$ %s\n' "$*"; "$@"; }

echo "registry: $REG_DEMO (docker-registry, storage in $WORK)"
export SIGNET_PASSWORD=demo-only-passphrase
cd "$WORK" || exit 2
run "$SIGNET" keys generate release || exit 2
run "$SIGNET" keys show release.pub
img=$REG_DEMO/demo/app:1.0
push_image "$img" first >/dev/null || exit 2
echo; echo "pushed $img"
run "$SIGNET" sign --key release.key -a build=42 "$img" || exit 2
run "$SIGNET" verify --key release.pub "$img" || exit 2
run "$SIGNET" list --key release.pub "$img"
echo; echo "now the tag moves to content nobody signed:"
push_image "$img" second >/dev/null || exit 2
run "$SIGNET" verify --key release.pub "$img"
echo "exit status: $? (1: signature missing or invalid)"
run "$SIGNET" verify --key release.pub -a build=43 "$REG_DEMO/demo/app@$(
	"$SIGNET" sign --key release.key "$img" 2>/dev/null | sed 's/.*@//')"
echo "exit status: $? (a required annotation does not match)"
