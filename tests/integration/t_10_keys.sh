# shellcheck shell=bash
# signet keys generate / keys show, and passphrase handling when signing.
# Sourced by run.sh.

T10=$WORK/t10
T10_HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
mkdir -p "$T10"

# Fingerprint as openssl computes it: SHA256 of the SPKI DER.
t10_spki_fp() {
	local h
	h=$(openssl pkey -pubin -in "$1" -outform DER 2>/dev/null | sha256sum) ||
		return 1
	echo "SHA256:${h%% *}"
}

t10_mode_is_0600() {
	[ "$(stat -c %a "$1")" = 600 ]
}

t10_types() {
	local t k fp
	for t in ecdsa-p256 ecdsa-p384 rsa-3072 rsa-4096; do
		k=$T10/$t
		expect_exit 0 "keys generate --type $t" -- \
			"$SIGNET" keys generate --type "$t" "$k" || continue
		expect_stdout_match "^[[:space:]]*signet verify --key [^ ]*$t\.pub" \
			"keys generate $t prints the verify line"
		check "$t: .key is mode 0600" -- t10_mode_is_0600 "$k.key"
		check "$t: .key is encrypted PKCS#8 PEM" -- \
			grep -q '^-----BEGIN ENCRYPTED PRIVATE KEY-----$' "$k.key"
		check "$t: .key opens with SIGNET_PASSWORD (openssl)" -- \
			openssl pkey -in "$k.key" -passin env:SIGNET_PASSWORD -noout
		check "$t: .key does not open without the passphrase" -- \
			not openssl pkey -in "$k.key" -passin pass: -noout 2>/dev/null
		check "$t: .pub is an SPKI PEM public key" -- \
			openssl pkey -pubin -in "$k.pub" -noout
		fp=$(t10_spki_fp "$k.pub")
		expect_exit 0 "keys show $t.pub" -- "$SIGNET" keys show "$k.pub"
		expect_stdout_match "$t" "keys show $t.pub names the type"
		expect_stdout_match "$fp" "keys show $t.pub prints the SPKI fingerprint"
		expect_exit 0 "keys show $t.key" -- "$SIGNET" keys show "$k.key"
		expect_stdout_match "$t" "keys show $t.key names the type"
		expect_stdout_match "$fp" "keys show $t.key prints the same fingerprint"
	done
	expect_exit 0 "keys generate without --type" -- \
		"$SIGNET" keys generate "$T10/default"
	expect_exit 0 "keys show default.pub" -- "$SIGNET" keys show "$T10/default.pub"
	expect_stdout_match 'ecdsa-p256' "default key type is ecdsa-p256"
	expect_exit 2 "keys generate --type dsa-1024 is refused" -- \
		"$SIGNET" keys generate --type dsa-1024 "$T10/dsa"
	expect_error_message "unknown key type message" 'dsa-1024|type'
	check "no file left by a refused key type" -- \
		test ! -e "$T10/dsa.key" -a ! -e "$T10/dsa.pub"
}

# Every key type signs, and its signature verifies (and only with its key).
t10_sign_each_type() {
	local dg t
	dg=$(push_image "$REG_MAIN/t10/types:v1" t10-types) || { fail "push"; return; }
	for t in ecdsa-p256 ecdsa-p384 rsa-3072 rsa-4096; do
		[ -f "$T10/$t.key" ] || continue
		expect_exit 0 "sign with a $t key" -- \
			"$SIGNET" sign --key "$T10/$t.key" "$REG_MAIN/t10/types@$dg"
		expect_exit 0 "verify with the $t key" -- \
			"$SIGNET" verify --key "$T10/$t.pub" "$REG_MAIN/t10/types@$dg"
		expect_stdout_eq "$REG_MAIN/t10/types@$dg" "verify $t prints the pinned reference"
	done
	expect_exit 1 "a key that signed nothing finds no valid signature" -- \
		"$SIGNET" verify --key "$T10/default.pub" "$REG_MAIN/t10/types@$dg"
}

# keys generate never writes through a symlink planted at NAME.key.
t10_symlink() {
	local k=$T10/link victim=$T10/victim.txt
	printf 'precious\n' >"$victim"
	ln -s "$victim" "$k.key"
	expect_exit 2 "keys generate refuses an existing NAME.key symlink" -- \
		"$SIGNET" keys generate "$k"
	# --force replaces the link itself, never the file it points to
	expect_exit 0 "keys generate --force replaces a NAME.key symlink" -- \
		"$SIGNET" keys generate --force "$k"
	check "keys generate --force does not write through a symlink" -- \
		test "$(cat "$victim")" = precious
	check "keys generate --force: NAME.key is a file of its own" -- \
		test -f "$k.key" -a ! -L "$k.key"
}

t10_overwrite() {
	local k=$T10/ow before after
	expect_exit 0 "keys generate ow" -- "$SIGNET" keys generate "$k" || return
	before=$(cat "$k.key" "$k.pub" | sha256sum)
	expect_exit 2 "second keys generate without --force exits 2" -- \
		"$SIGNET" keys generate "$k"
	expect_error_message "refusal names the existing file" 'ow\.(key|pub)|exist|force'
	after=$(cat "$k.key" "$k.pub" | sha256sum)
	check "key files unchanged without --force" -- test "$before" = "$after"
	check "key file still mode 0600" -- t10_mode_is_0600 "$k.key"
	expect_exit 0 "keys generate --force overwrites" -- \
		"$SIGNET" keys generate --force "$k"
	after=$(cat "$k.key" "$k.pub" | sha256sum)
	check "key files replaced with --force" -- test "$before" != "$after"
	check "overwritten key file is mode 0600" -- t10_mode_is_0600 "$k.key"
	check "overwritten .key matches .pub" -- test \
		"$(openssl pkey -in "$k.key" -passin env:SIGNET_PASSWORD -pubout 2>/dev/null)" = \
		"$(cat "$k.pub")"
}

t10_passwords() {
	local img dg k=$T10/nopw pf=$T10/pwfile
	img=$REG_MAIN/t10/app:v1
	dg=$(push_image "$img" t10-app) || { fail "push $img"; return; }

	expect_exit 2 "sign with a wrong SIGNET_PASSWORD exits 2" -- \
		env SIGNET_PASSWORD="wrong-$SIGNET_PASSWORD" \
		"$SIGNET" sign --key "$KEY_A.key" "$REG_MAIN/t10/app@$dg"
	expect_error_message "wrong passphrase message" 'pass|decrypt|key'
	expect_no_leak "wrong-$SIGNET_PASSWORD" "wrong passphrase never printed"
	expect_exit 2 "sign with an empty SIGNET_PASSWORD exits 2" -- \
		env SIGNET_PASSWORD= \
		"$SIGNET" sign --key "$KEY_A.key" "$REG_MAIN/t10/app@$dg"
	expect_error_message "empty passphrase message" 'pass|decrypt|key'
	expect_exit 1 "nothing was signed with the wrong passphrase" -- \
		"$SIGNET" verify --key "$KEY_A.pub" "$REG_MAIN/t10/app@$dg"

	# --no-password: usable without any passphrase source.
	expect_exit 0 "keys generate --no-password" -- \
		env -u SIGNET_PASSWORD "$SIGNET" keys generate --no-password "$k"
	check "--no-password .key is mode 0600" -- t10_mode_is_0600 "$k.key"
	check "--no-password .key opens without a passphrase" -- \
		openssl pkey -in "$k.key" -passin pass: -noout
	expect_exit 0 "sign with the --no-password key, no SIGNET_PASSWORD" -- \
		env -u SIGNET_PASSWORD "$SIGNET" sign --key "$k.key" "$REG_MAIN/t10/app@$dg"
	expect_stdout_eq "$REG_MAIN/t10/app@$dg" "sign prints the pinned reference"
	expect_exit 0 "verify the --no-password key's signature" -- \
		"$SIGNET" verify --key "$k.pub" "$REG_MAIN/t10/app@$dg"
	expect_exit 0 "sign with the --no-password key while SIGNET_PASSWORD is set" -- \
		"$SIGNET" sign --key "$k.key" "$REG_MAIN/t10/app@$dg"
	expect_exit 0 "keys show on the --no-password key" -- "$SIGNET" keys show "$k.key"
	expect_stdout_match "$(t10_spki_fp "$k.pub")" "keys show --no-password key fingerprint"

	# --password-file
	printf '%s\n' "file-pass-$$-$RANDOM" >"$pf"
	chmod 600 "$pf"
	expect_exit 0 "keys generate --password-file" -- \
		env -u SIGNET_PASSWORD "$SIGNET" keys generate --password-file "$pf" "$T10/pf"
	check "--password-file key opens with that passphrase (openssl)" -- \
		openssl pkey -in "$T10/pf.key" -passin "pass:$(head -n 1 "$pf")" -noout
	expect_exit 0 "sign with the --password-file key via SIGNET_PASSWORD" -- \
		env SIGNET_PASSWORD="$(head -n 1 "$pf")" \
		"$SIGNET" sign --key "$T10/pf.key" "$REG_MAIN/t10/app@$dg"
	expect_no_leak "$(head -n 1 "$pf")" "file passphrase never printed"

	expect_exit 2 "sign with no passphrase source and no terminal exits 2" -- \
		env -u SIGNET_PASSWORD "$SIGNET" sign --key "$KEY_A.key" \
		"$REG_MAIN/t10/app@$dg"
	expect_error_message "no passphrase message"

	expect_no_leak "$SIGNET_PASSWORD" "SIGNET_PASSWORD never printed (keys)"
}

# The terminal: prompts on /dev/tty with echo off (pty_answer.py types the
# answers on a pseudo-terminal and shows what the terminal showed).
t10_terminal() {
	local tty=$T10_HERE/pty_answer.py tp=tty-pass-$$-$RANDOM dg
	dg=$(push_image "$REG_MAIN/t10/tty:v1" t10-tty) || { fail "t10: push"; return; }
	expect_exit 0 "keys generate asks twice on the terminal" -- \
		python3 "$tty" "$tp" "$tp" -- env -u SIGNET_PASSWORD \
		"$SIGNET" keys generate "$T10/tty"
	expect_stdout_match "Enter passphrase for new key: " "the first prompt"
	expect_stdout_match "Confirm passphrase: " "the confirmation prompt"
	check "the typed passphrase protects the key (openssl)" -- \
		openssl pkey -in "$T10/tty.key" -passin "pass:$tp" -noout
	expect_exit 0 "sign asks once on the terminal" -- \
		python3 "$tty" "$tp" -- env -u SIGNET_PASSWORD \
		"$SIGNET" sign --key "$T10/tty.key" "$REG_MAIN/t10/tty:v1"
	expect_stdout_match "Enter passphrase for '.*tty.key': " "the sign prompt"
	expect_exit 0 "the terminal-signed image verifies" -- \
		"$SIGNET" verify --key "$T10/tty.pub" "$REG_MAIN/t10/tty@$dg"
	expect_exit 2 "different confirmation is refused" -- \
		python3 "$tty" "$tp" "other-$tp" -- env -u SIGNET_PASSWORD \
		"$SIGNET" keys generate "$T10/tty2"
	expect_stdout_match "passphrases do not match" "the mismatch message"
	check "the refused key wrote no file" -- test ! -e "$T10/tty2.key"
	expect_exit 2 "a wrong passphrase typed at the prompt is exit 2" -- \
		python3 "$tty" "wrong-$tp" -- env -u SIGNET_PASSWORD \
		"$SIGNET" sign --key "$T10/tty.key" "$REG_MAIN/t10/tty:v1"
	# what was typed never shows: echo was off
	expect_no_leak "$tp" "a passphrase typed at the terminal is not echoed"
}

t10_types
t10_sign_each_type
t10_symlink
t10_overwrite
t10_passwords
t10_terminal
