# shellcheck shell=bash
# Key identity (issue 14, items 1, 2 and 6): a key is its public key,
# whatever the entry that names it (public-key, certificate, a certificate
# of a Notary chain) and however it is encoded. One key counts once toward
# a threshold; revoking it under any name revokes it everywhere, and a
# revoked certificate or key anywhere in a notation chain refuses the
# signature whatever the order of the policy's keys. verify --json says
# whether a signature verified and whether it counted. Sourced by run.sh.

T51=$WORK/t51
P51=$T51/pol		# the policies' folder; key files are relative to it
mkdir -p "$P51/keys"
R51=$REG_MAIN/t51
unset SIGNET_POLICY XDG_CONFIG_HOME

# t51_pol FILE KEYS RULES: write policy $P51/FILE from the insides of its
# "keys" object and "rules" array.
t51_pol() {
	printf '{"version":1,"keys":{%s},"rules":[%s]}\n' "$2" "$3" \
		>"$P51/$1"
}

# t51_certs: a root certificate, a leaf it issued (mallory), the same leaf
# key certified a second time, and that key alone; alice's key as a
# public key, as a self-signed certificate, in compressed form and with
# its curve spelt out as parameters.
t51_certs() {
	local d=$T51 k=$P51/keys
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$d/root.pem" \
		-out "$k/root.crt" -days 2 -subj "/CN=t51 corp root" \
		-addext "basicConstraints=critical,CA:TRUE" \
		-addext "keyUsage=critical,keyCertSign" >/dev/null 2>&1 &&
	printf '%s\n' "basicConstraints=critical,CA:FALSE" \
		"keyUsage=critical,digitalSignature" \
		"extendedKeyUsage=codeSigning" >"$d/leaf.ext" &&
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout "$d/leaf.pem" -out "$d/leaf.csr" \
		-subj "/CN=t51 mallory" >/dev/null 2>&1 &&
	openssl x509 -req -in "$d/leaf.csr" -CA "$k/root.crt" \
		-CAkey "$d/root.pem" -CAcreateserial -days 2 \
		-extfile "$d/leaf.ext" -out "$k/leaf.crt" >/dev/null 2>&1 &&
	openssl x509 -req -in "$d/leaf.csr" -CA "$k/root.crt" \
		-CAkey "$d/root.pem" -CAcreateserial -days 3 \
		-extfile "$d/leaf.ext" -out "$k/leaf-again.crt" \
		>/dev/null 2>&1 &&
	openssl x509 -in "$k/leaf.crt" -noout -pubkey >"$k/leaf.pub" &&
	cat "$k/leaf.crt" "$k/root.crt" >"$d/chain.crt" ||
		{ fail "t51: openssl root and leaf"; return 1; }
	expect_exit 0 "t51: keys generate --x509 alice" -- \
		"$SIGNET" keys generate --x509 --subject "CN=t51 alice" \
		"$d/alice" || return 1
	cp "$d/alice.pub" "$k/alice.pub" &&
	cp "$d/alice.crt" "$k/alice.crt" &&
	openssl ec -pubin -in "$d/alice.pub" -conv_form compressed \
		-out "$k/alice-z.pub" >/dev/null 2>&1 &&
	openssl ec -pubin -in "$d/alice.pub" -param_enc explicit \
		-out "$k/alice-x.pub" >/dev/null 2>&1 &&
	check "t51: alice-z.pub is compressed (33-byte point)" -- \
		test "$(openssl pkey -pubin -in "$k/alice-z.pub" -outform DER |
			wc -c)" -lt "$(openssl pkey -pubin -in "$k/alice.pub" \
			-outform DER | wc -c)" &&
	expect_exit 0 "t51: keys generate bob" -- \
		"$SIGNET" keys generate "$d/bob" &&
	cp "$d/bob.pub" "$k/bob.pub"
}

# ---- item 1: a revoked certificate or key anywhere in a chain ---------------

t51_chain() {
	local img=$R51/chain/app dg pin root leaf rule
	dg=$(push_image "$img:1" t51-chain) || { fail "t51: push chain"; return; }
	pin=$img@$dg
	expect_exit 0 "chain: notation signature by mallory's leaf" -- \
		"$SIGNET" sign --format notation --key "$T51/leaf.pem" \
		--cert "$T51/chain.crt" "$pin" || return
	root='"corp-root":{"certificate":"keys/root.crt"}'
	rule="{\"scope\":\"$R51/chain/*\",\"keys\":[\"corp-root\"]}"
	t51_pol chain-ok.json "$root" "$rule"
	expect_exit 0 "chain: nothing revoked -> verified" -- \
		"$SIGNET" verify --policy "$P51/chain-ok.json" "$pin"
	# each way of naming mallory's key, revoked, in both orders
	for leaf in '"mallory-leaf":{"certificate":"keys/leaf.crt","revoked":true}' \
		'"mallory-leaf":{"public-key":"keys/leaf.pub","revoked":true}' \
		'"mallory-leaf":{"certificate":"keys/leaf-again.crt","revoked":true}' \
		'"mallory-leaf":{"public-key":"keys/leaf.pub","revoked":"2020-01-01T00:00:00Z"}'; do
		t51_pol chain-1.json "$root,$leaf" "$rule"
		t51_pol chain-2.json "$leaf,$root" "$rule"
		expect_exit 1 "chain: root first, revoked ${leaf:16:40} -> refused" -- \
			"$SIGNET" verify --policy "$P51/chain-1.json" "$pin" &&
		expect_error_message "chain: root first: names the revocation" \
			"mallory-leaf"
		expect_exit 1 "chain: leaf first, revoked ${leaf:16:40} -> refused" -- \
			"$SIGNET" verify --policy "$P51/chain-2.json" "$pin" &&
		expect_error_message "chain: leaf first: names the revocation" \
			"mallory-leaf"
	done
	expect_exit 0 "chain: policy check of a revoked leaf key" -- \
		"$SIGNET" policy check "$P51/chain-1.json" &&
	expect_stderr_match "mallory-leaf.*revoked" \
		"chain: policy check speaks of the revoked key"
	leaf='"mallory-leaf":{"public-key":"keys/leaf.pub","revoked":"2999-01-01T00:00:00Z"}'
	t51_pol chain-3.json "$root,$leaf" "$rule"
	expect_exit 0 "chain: leaf key to be revoked in 2999 still counts" -- \
		"$SIGNET" verify --policy "$P51/chain-3.json" "$pin"
}

# ---- item 2: one key, one identity ----------------------------------------

t51_identity() {
	local img=$R51/both/app dg pin a ac az b rule
	dg=$(push_image "$img:1" t51-both) || { fail "t51: push both"; return; }
	pin=$img@$dg
	T51_PIN=$pin
	expect_exit 0 "identity: cosign signature by alice" -- \
		"$SIGNET" sign --key "$T51/alice.key" "$pin" &&
	expect_exit 0 "identity: notation signature by alice" -- \
		"$SIGNET" sign --format notation --key "$T51/alice.key" \
		--cert "$T51/alice.crt" "$pin" || return
	a='"alice":{"public-key":"keys/alice.pub"}'
	ac='"alice-cert":{"certificate":"keys/alice.crt"}'
	az='"alice-z":{"public-key":"keys/alice-z.pub"}'
	b='"bob":{"public-key":"keys/bob.pub"}'

	# one key as public-key and as certificate meets no threshold of 2
	rule="{\"scope\":\"$R51/both/*\",\"keys\":[\"alice\",\"alice-cert\",\"bob\"],\"threshold\":2}"
	t51_pol two.json "$a,$ac,$b" "$rule"
	expect_exit 1 "identity: public-key + certificate of one key: 1 of 2" -- \
		"$SIGNET" verify --policy "$P51/two.json" "$pin" &&
	expect_error_message "identity: says 1 counted" "1 counted"
	expect_exit 0 "identity: policy check warns of two names" -- \
		"$SIGNET" policy check "$P51/two.json" &&
	expect_stderr_match "warning: .*'alice'.*'alice-cert'.*same key|warning: .*'alice-cert'.*'alice'.*same key" \
		"identity: the warning names both"
	rule="{\"scope\":\"$R51/both/*\",\"keys\":[\"alice\",\"alice-cert\"],\"threshold\":2}"
	t51_pol two-only.json "$a,$ac" "$rule"
	expect_exit 2 "identity: threshold 2 over one key is an error" -- \
		"$SIGNET" policy check "$P51/two-only.json" &&
	expect_stderr_match "only 1 distinct key" \
		"identity: the error counts distinct keys"

	# revoked under one name, revoked under all
	rule="{\"scope\":\"$R51/both/*\",\"keys\":[\"alice\"]}"
	t51_pol rev-cert.json "$a,${ac%\}},\"revoked\":true}" "$rule"
	expect_exit 1 "identity: certificate revoked, its key trusted -> refused" -- \
		"$SIGNET" verify --policy "$P51/rev-cert.json" "$pin" &&
	expect_error_message "identity: names the other name" \
		"revoked as 'alice-cert'"
	expect_exit 0 "identity: policy show" -- \
		"$SIGNET" policy show --policy "$P51/rev-cert.json" "$pin" &&
	expect_stdout_match "key: +alice, .*revoked as alice-cert" \
		"identity: policy show says revoked as alice-cert"
	rule="{\"scope\":\"$R51/both/*\",\"keys\":[\"alice-cert\"],\"formats\":[\"notation\"]}"
	t51_pol rev-key.json "${a%\}},\"revoked\":true},$ac" "$rule"
	expect_exit 1 "identity: public key revoked, its certificate trusted -> refused" -- \
		"$SIGNET" verify --policy "$P51/rev-key.json" "$pin"

	# compressed, uncompressed, explicit curve parameters: one key
	rule="{\"scope\":\"$R51/both/*\",\"keys\":[\"alice\"]}"
	t51_pol rev-z.json "$a,${az%\}},\"revoked\":true}" "$rule"
	expect_exit 1 "identity: compressed encoding revoked -> refused" -- \
		"$SIGNET" verify --policy "$P51/rev-z.json" "$pin"
	t51_pol rev-x.json "$a,\"alice-x\":{\"public-key\":\"keys/alice-x.pub\",\"revoked\":true}" "$rule"
	expect_exit 1 "identity: curve spelt out as parameters, revoked -> refused" -- \
		"$SIGNET" verify --policy "$P51/rev-x.json" "$pin"
	rule="{\"scope\":\"$R51/both/*\",\"keys\":[\"alice\",\"alice-z\",\"bob\"],\"threshold\":2}"
	t51_pol z.json "$a,$az,$b" "$rule"
	expect_exit 0 "identity: policy check, compressed and uncompressed" -- \
		"$SIGNET" policy check "$P51/z.json" &&
	expect_stderr_match "warning: .*'alice-z'.*same key|warning: .*same key.*'alice-z'" \
		"identity: compressed and uncompressed are one key"
	expect_exit 1 "identity: compressed + uncompressed: 1 of 2" -- \
		"$SIGNET" verify --policy "$P51/z.json" "$pin"

	# --key: the same key given many ways is one key
	local args=() i
	for i in $(seq 1 40); do
		args+=(--key "$P51/keys/alice.pub" --key "$P51/keys/alice-z.pub")
	done
	expect_exit 0 "identity: --key 80 times, one key" -- \
		"$SIGNET" verify "${args[@]}" "$pin"
}

# ---- item 6: verify --json says what verified and what counted -------------

t51_json() {
	local pin=$T51_PIN
	[ -n "$pin" ] || return
	expect_exit 1 "json: revoked signer" -- \
		"$SIGNET" verify --json --policy "$P51/rev-cert.json" "$pin" &&
	check "json: cosign signature verified, not counted, not valid" -- \
		jq -e '.[0].signatures[] | select(.format == "cosign") |
			.verified == true and .counted == false and
			.valid == false and
			(.reason | test("revoked as .alice-cert."))' "$LAST_OUT"
	expect_exit 1 "json: one key twice" -- \
		"$SIGNET" verify --json --policy "$P51/two.json" "$pin" &&
	check "json: one counted, the other a duplicate key" -- \
		jq -e '[.[0].signatures[] | select(.verified)] | length == 2 and
			(map(select(.counted and .valid)) | length == 1) and
			(map(select(.counted | not) | .reason) |
			 .[0] | test("duplicate key"))' "$LAST_OUT"
	expect_exit 1 "json: --key of another key" -- \
		"$SIGNET" verify --json --key "$P51/keys/bob.pub" "$pin" &&
	check "json: --key: not verified, not counted, a reason" -- \
		jq -e '[.[0].signatures[] | select(.format == "cosign")][0] |
			.verified == false and .counted == false and
			.valid == false and (.reason | length > 0)' "$LAST_OUT"
	expect_exit 0 "json: --key alice" -- \
		"$SIGNET" verify --json --key "$P51/keys/alice.pub" "$pin" &&
	check "json: --key: verified and counted" -- \
		jq -e '[.[0].signatures[] | select(.format == "cosign")][0] |
			.verified and .counted and .valid' "$LAST_OUT"
}

T51_PIN=
if t51_certs; then
	t51_chain
	t51_identity
	t51_json
fi
