#!/bin/bash
# Make the notation COSE vectors of this folder (see SOURCE): a
# docker-registry on 127.0.0.1, an image pushed with curl, notation
# signing it with --signature-format cose. Usage: bash make.sh OUTDIR
set -eu
out=$1
NOTATION=$HOME/.cache/signet-peers/bin/notation
w=$(mktemp -d)
trap 'kill $pid 2>/dev/null; rm -rf "$w"' EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
printf 'version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: %s/storage\nhttp:\n  addr: 127.0.0.1:%s\n' "$w" "$port" >"$w/config.yml"
docker-registry serve "$w/config.yml" >"$w/reg.log" 2>&1 &
pid=$!
for i in $(seq 50); do curl -sf "http://127.0.0.1:$port/v2/" >/dev/null && break; sleep 0.1; done
hp=127.0.0.1:$port
# certificates: a root CA, an EC P-256 leaf under it, a self-signed RSA-2048
cd "$out"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	-keyout "$w/root.pem" -out root.crt -days 36500 -subj "/CN=signet cose test root" \
	-addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign" 2>/dev/null
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	-keyout "$w/leaf.pem" -out "$w/leaf.csr" -subj "/C=US/O=signet/CN=signet cose test leaf" 2>/dev/null
printf '%s\n' "basicConstraints=critical,CA:FALSE" "keyUsage=critical,digitalSignature" \
	"extendedKeyUsage=codeSigning" >"$w/leaf.ext"
openssl x509 -req -in "$w/leaf.csr" -CA root.crt -CAkey "$w/root.pem" -set_serial 2 \
	-days 36500 -extfile "$w/leaf.ext" -out "$w/leaf.crt" 2>/dev/null
cat "$w/leaf.crt" root.crt >"$w/chain.crt"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$w/rsa.pem" -out rsa.crt -days 36500 \
	-subj "/CN=signet cose test rsa" -addext "keyUsage=critical,digitalSignature" \
	-addext "extendedKeyUsage=codeSigning" -addext "basicConstraints=critical,CA:FALSE" 2>/dev/null
# the image: one layer, pushed with curl
printf 'signet cose test\n' >"$w/layer"
printf '{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":["sha256:%s"]}}' \
	"$(sha256sum <"$w/layer" | cut -d' ' -f1)" >"$w/config"
put_blob() {
	local dg loc
	dg=sha256:$(sha256sum <"$1" | cut -d' ' -f1)
	loc=$(curl -sf -X POST -D - -o /dev/null "http://$hp/v2/cose/blobs/uploads/" | tr -d '\r' | awk -F': ' 'tolower($1)=="location"{print $2}')
	case $loc in /*) loc=http://$hp$loc ;; esac
	curl -sf -X PUT -o /dev/null -H 'Content-Type: application/octet-stream' --data-binary "@$1" "$loc&digest=$dg"
	echo "$dg"
}
ldg=$(put_blob "$w/layer"); cdg=$(put_blob "$w/config")
printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"%s","size":%s},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"%s","size":%s}]}' \
	"$cdg" "$(stat -c %s "$w/config")" "$ldg" "$(stat -c %s "$w/layer")" >image.json
curl -sf -X PUT -o /dev/null -H 'Content-Type: application/vnd.oci.image.manifest.v1+json' --data-binary @image.json "http://$hp/v2/cose/manifests/v1"
img=sha256:$(sha256sum <image.json | cut -d' ' -f1)
export NOTATION_CONFIG=$w/nc
mkdir -p "$NOTATION_CONFIG"
printf '{"default":"ec","keys":[{"name":"ec","keyPath":"%s","certPath":"%s"},{"name":"rsa","keyPath":"%s","certPath":"%s"}]}\n' \
	"$w/leaf.pem" "$w/chain.crt" "$w/rsa.pem" "$PWD/rsa.crt" >"$NOTATION_CONFIG/signingkeys.json"
# one signature at a time: sign, take the envelope and its manifest, delete
fetch_sig() {
	local idx m env
	idx=$(curl -sf -H 'Accept: application/vnd.oci.image.index.v1+json' "http://$hp/v2/cose/manifests/sha256-${img#sha256:}")
	m=$(echo "$idx" | jq -r '.manifests[-1].digest')
	curl -sf -H 'Accept: application/vnd.oci.image.manifest.v1+json' "http://$hp/v2/cose/manifests/$m" >"$1.manifest.json"
	env=$(jq -r '.layers[0].digest' "$1.manifest.json")
	curl -sfL "http://$hp/v2/cose/blobs/$env" >"$1.cose"
}
"$NOTATION" sign --insecure-registry --signature-format cose -m team=x "$hp/cose@$img" >/dev/null
fetch_sig es256-chain
"$NOTATION" sign --insecure-registry --signature-format cose --key rsa --expiry 876000h "$hp/cose@$img" >/dev/null
fetch_sig ps256-expiry
"$NOTATION" version
