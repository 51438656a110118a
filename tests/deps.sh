#!/bin/sh
# Install the Debian packages signet needs to build and test, then build
# the libcurl signet links (below). Idempotent: quick when everything is
# there. Run as root (apt-get update first).
set -eu
pkgs="build-essential pkg-config libssl-dev libcurl4-openssl-dev libjansson-dev
libsodium-dev libmicrohttpd-dev libcbor-dev libcmocka-dev libnghttp2-dev
dpkg-dev docker-registry apache2-utils mandoc openssl curl time
jq python3 ca-certificates valgrind libp11-dev libp11-kit-dev p11-kit-modules softhsm2 pass gnupg"
missing=
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing="$missing $p"
done
if [ -n "$missing" ]; then
	echo "deps: installing:$missing"
	if [ "$(id -u)" != 0 ]; then
		echo "deps: not root; run: sudo apt-get update && sudo apt-get install -y$missing" >&2
		exit 1
	fi
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

# ---- libcurl for HTTP(S) over OpenSSL, nothing else --------------------------
# Debian's libcurl also speaks LDAP, RTMP, SSH, Kerberos, with GnuTLS, IDN,
# PSL, brotli and zstd: 25 shared libraries signet maps at every start
# (half of `signet version`'s time) and code it never needs reachable from
# every registry answer. So signet links a libcurl of its own, statically:
# built from Debian's source package of the libcurl installed here (its
# security fixes included; apt checks the download against the signed
# index), configured for HTTP and HTTPS over the system's OpenSSL, with
# nghttp2 for HTTP/2. It lives in $SIGNET_DEPS (~/.cache/signet-deps),
# one folder per Debian version, `curl` linking the current one; the
# Makefile links it when present and Debian's shared libcurl otherwise.
deps=${SIGNET_DEPS:-${XDG_CACHE_HOME:-$HOME/.cache}/signet-deps}
ver=$(dpkg-query -W -f='${Version}' libcurl4-openssl-dev)
dir=$deps/curl-$(echo "$ver" | tr ':~' '__')
[ -f "$dir/.built" ] && [ "$(readlink "$deps/curl" || :)" = "${dir##*/}" ] &&
	exit 0

curl_fail() {
	echo "deps: could not build the minimal libcurl ($1); see $log" >&2
	echo "deps: signet builds with Debian's libcurl instead: it works," \
		"but starts slower and maps 25 more libraries" >&2
	rm -f "$deps/curl"
	exit 0
}

mkdir -p "$deps"
tmp=$(mktemp -d "$deps/build.XXXXXX")
log=$deps/curl-build.log
trap 'rm -rf "$tmp"' EXIT
t0=$(date +%s)
echo "deps: building libcurl $ver (HTTP(S) over OpenSSL, static) into $dir"
. /etc/os-release
# deb-src entries of our own: the system's apt configuration is untouched
mkdir -p "$tmp/apt/lists/partial" "$tmp/apt/cache/archives/partial" \
	"$tmp/src"
{
	m=${SIGNET_DEBIAN_MIRROR:-http://deb.debian.org}
	printf 'deb-src %s/debian %s main\n' "$m" "$VERSION_CODENAME"
	printf 'deb-src %s/debian %s-updates main\n' "$m" "$VERSION_CODENAME"
	printf 'deb-src %s/debian-security %s-security main\n' "$m" \
		"$VERSION_CODENAME"
} >"$tmp/sources.list" 2>"$log"
apt_o="-o Dir::Etc::SourceList=$tmp/sources.list
-o Dir::Etc::SourceParts=/nonexistent -o Dir::State::Lists=$tmp/apt/lists
-o Dir::Cache=$tmp/apt/cache -o APT::Sandbox::User=root"
# shellcheck disable=SC2086
apt-get -q $apt_o update >>"$log" 2>&1 || curl_fail "apt-get update"
cd "$tmp/src"
# the very version installed, else the newest the index has
# shellcheck disable=SC2086
apt-get -q $apt_o source --download-only "curl=$ver" >>"$log" 2>&1 ||
	apt-get -q $apt_o source --download-only curl >>"$log" 2>&1 ||
	curl_fail "apt-get source curl"
dpkg-source -x ./curl_*.dsc src >>"$log" 2>&1 || curl_fail "dpkg-source"
cd src
# Debian's patches touch configure.ac and Makefile.am only for what this
# build leaves out (LDAP, Kerberos, zsh) and the tests: keep the released
# configure (no autotools needed; maintainer mode is off).
./configure --prefix="$dir" --disable-shared --enable-static \
	--disable-dependency-tracking --disable-manual \
	--with-openssl --with-nghttp2 \
	--with-ca-path=/etc/ssl/certs \
	--with-ca-bundle=/etc/ssl/certs/ca-certificates.crt \
	--without-zlib --without-brotli --without-zstd --without-libidn2 \
	--without-libpsl --without-librtmp --without-libssh2 --without-libssh \
	--without-gssapi --without-libgsasl --without-hyper \
	--without-ngtcp2 --without-nghttp3 --without-quiche --without-msh3 \
	--disable-ldap --disable-ldaps --disable-rtsp --disable-dict \
	--disable-telnet --disable-tftp --disable-pop3 --disable-imap \
	--disable-smb --disable-smtp --disable-gopher --disable-mqtt \
	--disable-ftp --disable-file --disable-ntlm --disable-ntlm-wb \
	--disable-tls-srp --disable-netrc --disable-cookies --disable-mime \
	--disable-doh --disable-alt-svc --disable-hsts \
	--disable-libcurl-option --disable-websockets \
	>>"$log" 2>&1 || curl_fail "configure"
rm -rf "$dir"
{ make -C lib -j2 && make -C lib install && make -C include install &&
	make install-pkgconfigDATA; } >>"$log" 2>&1 || curl_fail "make"
# the link line must not need Debian's libcurl's libraries
grep -q '^Libs.private:.*-l\(idn2\|ldap\|rtmp\|ssh\|gssapi\|z\)\b' \
	"$dir/lib/pkgconfig/libcurl.pc" && curl_fail "unexpected libraries"
echo "$ver" >"$dir/.built"
ln -sfn "${dir##*/}" "$deps/curl"
echo "deps: libcurl built in $(( $(date +%s) - t0 )) s"
