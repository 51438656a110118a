#!/usr/bin/env bash
# Build the peer tools (cosign, notation, oras, crane, docker's pass
# credential helper) at pinned versions from the Go module proxy, into a
# cache folder, and print the bin folder.
# Re-runs are quick: a tool whose pinned version is already built is skipped.
#
#   tests/interop/peers.sh [TOOL...]   -> prints the bin dir on stdout
#
# Exit 0 when every requested tool is there, 3 when Go itself is absent
# (callers skip interop then), 1 on a build failure.
set -euo pipefail

COSIGN_VERSION=v3.1.3
NOTATION_VERSION=v1.3.2
ORAS_VERSION=v1.3.6
GGCR_VERSION=v0.22.1
CREDHELPERS_VERSION=v0.9.3

cache=${SIGNET_PEERS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/signet-peers}
bin=$cache/bin
mkdir -p "$bin"

if ! command -v go >/dev/null 2>&1; then
	for d in /usr/local/go/bin /usr/lib/go/bin; do
		[ -x "$d/go" ] && PATH=$d:$PATH && break
	done
fi
command -v go >/dev/null 2>&1 || { echo "peers: go not found" >&2; exit 3; }

# "module@version package-dir" for each tool
pkg_of() {
	case $1 in
	cosign)   echo "github.com/sigstore/cosign/v3@$COSIGN_VERSION ./cmd/cosign" ;;
	notation) echo "github.com/notaryproject/notation@$NOTATION_VERSION ./cmd/notation" ;;
	oras)     echo "oras.land/oras@$ORAS_VERSION ./cmd/oras" ;;
	crane)    echo "github.com/google/go-containerregistry@$GGCR_VERSION ./cmd/crane" ;;
	# ours: go-containerregistry's registry with the referrers API on
	referrers-registry) echo "local $here/referrers-registry" ;;
	# a real docker credential helper (needs pass and gnupg from Debian)
	docker-credential-pass) echo "github.com/docker/docker-credential-helpers@$CREDHELPERS_VERSION ./pass/cmd" ;;
	*) echo "peers: unknown tool '$1'" >&2; return 1 ;;
	esac
}

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
tools=("$@")
[ ${#tools[@]} -gt 0 ] || tools=(cosign notation oras crane referrers-registry \
	docker-credential-pass)
for t in "${tools[@]}"; do
	pkg=$(pkg_of "$t")
	case $pkg in local\ *)
		pkg="local $(cat "${pkg#local }"/go.mod "${pkg#local }"/go.sum \
			"${pkg#local }"/*.go | sha256sum | cut -c1-16)" ;;
	esac
	stamp=$bin/.$t.version
	if [ -x "$bin/$t" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$pkg" ]; then
		continue
	fi
	echo "peers: building $pkg" >&2
	# Build inside the downloaded module (its own go.sum pins every
	# dependency). `go install mod@version` would also ask the proxy for
	# the module's version list, which the proxy here may refuse.
	set -- $pkg
	if [ "$1" = local ]; then
		dir=$here/$t
		set -- local .
	else
		dir=$(go mod download -json "$1" |
			sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
	fi
	[ -n "$dir" ] || { echo "peers: cannot download $1" >&2; exit 1; }
	(cd "$dir" && CGO_ENABLED=0 GOFLAGS=-trimpath \
		go build -o "$bin/$t" "$2") >&2
	echo "$pkg" >"$stamp"
done
echo "$bin"
