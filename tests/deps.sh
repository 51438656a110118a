#!/bin/sh
# Install the Debian packages signet needs to build and test. Idempotent:
# quick when everything is there. Run as root (apt-get update first).
set -eu
pkgs="build-essential pkg-config libssl-dev libcurl4-openssl-dev libjansson-dev
libsodium-dev libmicrohttpd-dev libcbor-dev libcmocka-dev docker-registry apache2-utils mandoc openssl curl
jq python3 ca-certificates valgrind libp11-dev libp11-kit-dev p11-kit-modules softhsm2 pass gnupg"
missing=
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "deps: installing:$missing"
if [ "$(id -u)" != 0 ]; then
	echo "deps: not root; run: sudo apt-get update && sudo apt-get install -y$missing" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
