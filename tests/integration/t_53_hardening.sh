# shellcheck shell=bash
# Hardening: private key files must be owner-only; no core dump once a
# passphrase or key is in memory; a locked system policy; key paths of a
# linked policy relative to the file it resolves to (a Kubernetes config
# map's "..data" layout). Sourced by run.sh.
#
# The system policy is /etc/signet/policy.json: the checks that need one
# run in a mount namespace of their own (unshare -m) with an overlay on
# /etc, so the machine's /etc is never touched. Where that cannot be done
# (not root, no overlayfs), they print one line saying so.

T53=$WORK/t53
mkdir -p "$T53"
R53=$REG_MAIN/t53

# ---- private key file modes -------------------------------------------------

t53_modes() {
	local k=$T53/modes/k m dg
	mkdir -p "$T53/modes"
	dg=$(push_image "$R53/modes:1" t53-modes) || { fail "push t53/modes"; return; }
	expect_exit 0 "modes: keys generate under umask 000" -- sh -c \
		'umask 000 && exec "$@"' sh "$SIGNET" keys generate "$k"
	check "modes: the .key is 0600 all the same" -- \
		test "$(stat -c %a "$k.key")" = 600
	expect_exit 0 "modes: sign with a 0600 key" -- "$SIGNET" sign \
		--key "$k.key" "$R53/modes@$dg"
	for m in 640 604 620 602 660 644 610 601 400; do
		chmod "$m" "$k.key"
		if [ "$m" = 400 ]; then
			expect_exit 0 "modes: sign with a 0400 key" -- \
				"$SIGNET" sign --key "$k.key" "$R53/modes@$dg"
			continue
		fi
		expect_exit 2 "modes: sign refuses a 0$m key" -- \
			"$SIGNET" sign --key "$k.key" "$R53/modes@$dg"
		expect_error_message "modes: 0$m: one line naming the chmod" \
			"mode 0$m.*run 'chmod 600 $k.key'"
	done
	chmod 644 "$k.key"
	expect_exit 2 "modes: keys show refuses a 0644 private key" -- \
		"$SIGNET" keys show "$k.key"
	expect_error_message "modes: keys show: says chmod 600" "chmod 600"
	expect_exit 2 "modes: keys export refuses a 0644 private key" -- \
		"$SIGNET" keys export --cosign "$k.key" "$T53/modes/exp.key"
	check "modes: keys export wrote nothing" -- test ! -e "$T53/modes/exp.key"
	chmod 600 "$k.key"
	expect_exit 0 "modes: keys export --cosign" -- env \
		COSIGN_PASSWORD="$SIGNET_PASSWORD" "$SIGNET" keys export \
		--cosign "$k.key" "$T53/modes/exp.key"
	chmod 644 "$T53/modes/exp.key"
	expect_exit 2 "modes: keys import refuses a 0644 cosign key" -- \
		"$SIGNET" keys import --cosign "$T53/modes/exp.key" "$T53/modes/imp"
	expect_error_message "modes: import: says chmod 600" "chmod 600"
	expect_exit 2 "modes: sign refuses a 0644 cosign key" -- \
		"$SIGNET" sign --key "$T53/modes/exp.key" "$R53/modes@$dg"
	# unencrypted keys too (SIGNET_TEST_PLAIN_KEYS runs use them)
	expect_exit 0 "modes: keys generate --no-password" -- \
		"$SIGNET" keys generate --no-password "$T53/modes/plain"
	check "modes: the unencrypted .key is 0600" -- \
		test "$(stat -c %a "$T53/modes/plain.key")" = 600
	chmod 640 "$T53/modes/plain.key"
	expect_exit 2 "modes: sign refuses a 0640 unencrypted key" -- \
		"$SIGNET" sign --key "$T53/modes/plain.key" "$R53/modes@$dg"
	# the refusal comes before any passphrase is asked for
	chmod 644 "$k.key"
	expect_exit 2 "modes: refused before the passphrase" -- env \
		-u SIGNET_PASSWORD "$SIGNET" sign --key "$k.key" "$R53/modes@$dg"
	expect_error_message "modes: no passphrase asked, the mode named" \
		"chmod 600"
	# public keys and certificates: any mode
	chmod 600 "$k.key"
	chmod 644 "$k.pub"
	expect_exit 0 "modes: verify with a 0644 public key" -- \
		"$SIGNET" verify --key "$k.pub" "$R53/modes@$dg"
	expect_exit 0 "modes: keys show of a 0644 public key" -- \
		"$SIGNET" keys show "$k.pub"
	expect_exit 0 "modes: keys generate --x509" -- "$SIGNET" keys \
		generate --x509 --subject CN=t53 "$T53/modes/x"
	chmod 644 "$T53/modes/x.crt"
	expect_exit 0 "modes: sign --cert with a 0644 certificate" -- \
		"$SIGNET" sign --format notation --cert "$T53/modes/x.crt" \
		--key "$T53/modes/x.key" "$R53/modes@$dg"
	expect_exit 0 "modes: verify --key of a 0644 certificate" -- \
		"$SIGNET" verify --format notation --key "$T53/modes/x.crt" \
		"$R53/modes@$dg"
}

# ---- no core dumps -----------------------------------------------------------

# t53_pause.py UID DIR CMD...: run CMD on a terminal as UID in DIR with no
# limit on core dumps; at its passphrase prompt, print its core limit and
# the owner of its /proc entry (root when it is not dumpable), then abort
# it and print whether the kernel dumped core.
cat >"$T53/pause.py" <<'EOF'
import os, pty, resource, select, signal, sys, time
uid, cwd, cmd = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
pid, fd = pty.fork()
if pid == 0:
    try:
        os.chdir(cwd)
        inf = resource.RLIM_INFINITY
        resource.setrlimit(resource.RLIMIT_CORE, (inf, inf))
        if uid:
            os.setgroups([])
            os.setgid(uid)
            os.setuid(uid)
        os.execv(cmd[0], cmd)
    finally:
        os._exit(127)
seen, end = b"", time.monotonic() + 30
while not seen.rstrip().endswith(b":"):
    if time.monotonic() > end or os.waitpid(pid, os.WNOHANG)[0]:
        print("no-prompt", seen.decode(errors="replace").strip())
        sys.exit(1)
    if select.select([fd], [], [], 0.2)[0]:
        try:
            seen += os.read(fd, 4096)
        except OSError:
            pass
for line in open("/proc/%d/limits" % pid):
    if line.startswith("Max core file size"):
        print("core-limit", " ".join(line.split()[4:6]))
print("proc-owner", os.stat("/proc/%d/status" % pid).st_uid)
os.kill(pid, signal.SIGABRT)
_, st = os.waitpid(pid, 0)
print("core-dumped", int(os.WIFSIGNALED(st) and os.WCOREDUMP(st)))
EOF

# t53_dump_check WHAT UID CMD...: at its prompt CMD has no core limit left,
# is not dumpable, and an abort leaves no core.
t53_dump_check() {
	local what=$1 uid=$2
	shift 2
	expect_exit 0 "dumps: $what: stops at the passphrase prompt" -- \
		env -u SIGNET_PASSWORD python3 "$T53/pause.py" "$uid" \
		"$T53/dumps" "$@"
	expect_stdout_match '^core-limit 0 0$' "dumps: $what: RLIMIT_CORE 0"
	if [ "$uid" != 0 ]; then
		expect_stdout_match '^proc-owner 0$' \
			"dumps: $what: not dumpable (its /proc entry is root's)"
	fi
	expect_stdout_match '^core-dumped 0$' "dumps: $what: abort leaves no core"
	check "dumps: $what: no core file" -- \
		test -z "$(find "$T53/dumps" -name 'core*' -print -quit)"
}

t53_dumps() {
	local d=$T53/dumps u=65534 dg
	mkdir -p "$d"
	chmod 1777 "$d"
	dg=$(push_image "$R53/dumps:1" t53-dumps) || { fail "push t53/dumps"; return; }
	t53_dump_check "keys generate (root)" 0 "$SIGNET" keys generate "$d/r"
	# as an ordinary user, where "not dumpable" shows in /proc: its own
	# copy of signet and its own key, outside the harness's folder
	if [ "$(id -u)" != 0 ] || ! id -un "$u" >/dev/null 2>&1; then
		log "t_53: not root, or no uid $u: the unprivileged checks skipped"
		return
	fi
	cp "$SIGNET" "$d/signet" && chmod 755 "$d/signet"
	chmod 711 "$T53" "$WORK"
	t53_dump_check "keys generate (uid $u)" "$u" "$d/signet" keys \
		generate "$d/u"
	expect_exit 0 "dumps: uid $u makes a key" -- setpriv --reuid "$u" \
		--regid "$u" --clear-groups env HOME="$d" "$d/signet" keys \
		generate "$d/s"
	t53_dump_check "sign (uid $u)" "$u" "$d/signet" sign --key "$d/s.key" \
		"$R53/dumps@$dg"
	chmod 700 "$WORK" "$T53"
}

# ---- a locked system policy --------------------------------------------------

# t53_sys CMD...: CMD with $T53/etc/signet as /etc/signet (an overlay on
# /etc in a mount namespace of its own).
t53_sys() {
	unshare -m sh -c 'mount -t overlay overlay -o \
		"lowerdir=/etc,upperdir=$1/etc,workdir=$1/etc.work" /etc &&
		shift && exec "$@"' sh "$T53" "$@"
}

t53_can_sys() {
	mkdir -p "$T53/etc/signet" "$T53/etc.work"
	echo '{}' >"$T53/etc/signet/probe"
	t53_sys test -f /etc/signet/probe 2>/dev/null
	local rc=$?
	rm -f "$T53/etc/signet/probe"
	return $rc
}

t53_locked() {
	local dg dga sys=$T53/etc/signet/policy.json other=$T53/other.json
	if ! t53_can_sys; then
		log "t_53: no mount namespace with an overlay on /etc; the system policy checks skipped"
		return
	fi
	dg=$(push_image "$R53/locked:1" t53-locked) || { fail "push t53/locked"; return; }
	expect_exit 0 "locked: sign with key B" -- "$SIGNET" sign \
		--key "$KEY_B.key" "$R53/locked@$dg"
	dga=$(push_image "$R53/locked:a" t53-locked-a) || { fail "push t53/locked:a"; return; }
	expect_exit 0 "locked: sign another with key A" -- "$SIGNET" sign \
		--key "$KEY_A.key" "$R53/locked@$dga"
	# the system trusts A only; B's signature must never get through
	printf '{"version":1,"locked":true,"keys":{"a":{"public-key":"%s"}},"rules":[{"scope":"**","keys":["a"]}]}\n' \
		"$KEY_A.pub" >"$sys"
	printf '{"version":1,"keys":{"b":{"public-key":"%s"}},"rules":[{"scope":"**","keys":["b"]}]}\n' \
		"$KEY_B.pub" >"$other"
	mkdir -p "$TEST_HOME/.config/signet"
	cp "$other" "$TEST_HOME/.config/signet/policy.json"

	expect_exit 1 "locked: the system policy decides" -- t53_sys \
		env -u SIGNET_POLICY "$SIGNET" verify "$R53/locked@$dg"
	expect_exit 1 "locked: \$SIGNET_POLICY is not asked" -- t53_sys \
		env SIGNET_POLICY="$other" "$SIGNET" verify "$R53/locked@$dg"
	expect_exit 1 "locked: ~/.config/signet/policy.json is not asked" -- \
		t53_sys env -u SIGNET_POLICY HOME="$TEST_HOME" "$SIGNET" verify \
		"$R53/locked@$dg"
	expect_exit 1 "locked: run follows it too" -- t53_sys env \
		SIGNET_POLICY="$other" "$SIGNET" run -- docker pull "$R53/locked@$dg"
	expect_exit 2 "locked: verify --policy refused" -- t53_sys "$SIGNET" \
		verify --policy "$other" "$R53/locked@$dg"
	expect_error_message "locked: --policy: says the system policy is locked" \
		"/etc/signet/policy.json is locked.*--policy"
	expect_exit 2 "locked: verify --key refused" -- t53_sys "$SIGNET" \
		verify --key "$KEY_B.pub" "$R53/locked@$dg"
	expect_error_message "locked: --key: says so" "is locked.*--key"
	expect_exit 2 "locked: run --key refused" -- t53_sys "$SIGNET" run \
		--key "$KEY_B.pub" -- docker pull "$R53/locked@$dg"
	expect_exit 2 "locked: audit --key refused" -- t53_sys "$SIGNET" audit \
		--key "$KEY_B.pub" "$REG_MAIN"
	# a gate serves until stopped: bounded, so a gate that starts fails
	expect_exit 2 "locked: gate --policy refused" -- t53_sys timeout 20 \
		"$SIGNET" gate --policy "$other" --socket "$T53/gate.sock"
	expect_error_message "locked: gate --policy: says so" \
		"is locked.*--policy"
	expect_exit 2 "locked: policy show --policy refused" -- t53_sys \
		"$SIGNET" policy show --policy "$other" "$R53/locked"
	expect_exit 0 "locked: policy show follows it" -- t53_sys env \
		SIGNET_POLICY="$other" "$SIGNET" policy show "$R53/locked"
	expect_stdout_match '^  policy: +/etc/signet/policy.json$' \
		"locked: policy show names the system policy"
	expect_exit 0 "locked: policy check FILE still checks any file" -- \
		t53_sys "$SIGNET" policy check "$other"
	expect_exit 0 "locked: policy check of the system policy" -- t53_sys \
		env SIGNET_POLICY="$other" "$SIGNET" policy check
	expect_stdout_match '^/etc/signet/policy.json: ok' \
		"locked: policy check names the system policy"
	expect_exit 0 "locked: signed by the trusted key: verified" -- t53_sys \
		env SIGNET_POLICY="$other" "$SIGNET" verify "$R53/locked@$dga"

	# not locked: the user's choices stand, as before
	sed 's/"locked":true,//' "$sys" >"$sys.new" && mv "$sys.new" "$sys"
	expect_exit 0 "unlocked: \$SIGNET_POLICY decides" -- t53_sys env \
		SIGNET_POLICY="$other" "$SIGNET" verify "$R53/locked@$dg"
	expect_exit 0 "unlocked: --key" -- t53_sys "$SIGNET" verify \
		--key "$KEY_B.pub" "$R53/locked@$dg"
	sed 's/"version":1,/"version":1,"locked":false,/' "$sys" >"$sys.new" &&
		mv "$sys.new" "$sys"
	expect_exit 0 "locked false: --key" -- t53_sys "$SIGNET" verify \
		--key "$KEY_B.pub" "$R53/locked@$dg"
	# a lock that cannot be read fails closed
	sed 's/"version":1,/"version":1,"locked":"yes",/' "$sys" >"$sys.new" &&
		mv "$sys.new" "$sys"
	expect_exit 2 "locked \"yes\": refused, not taken as unlocked" -- \
		t53_sys "$SIGNET" verify --key "$KEY_B.pub" "$R53/locked@$dg"
	expect_error_message "locked \"yes\": says what is wrong" "locked"
	echo '{"version":1, "locked": tru' >"$sys"
	expect_exit 2 "broken system policy: --key refused" -- t53_sys \
		"$SIGNET" verify --key "$KEY_B.pub" "$R53/locked@$dg"
	expect_error_message "broken system policy: names it" \
		"/etc/signet/policy.json"
	# "locked" in another file: a warning, and it locks nothing
	printf '{"version":1,"locked":true,"keys":{"b":{"public-key":"%s"}},"rules":[{"scope":"**","keys":["b"]}]}\n' \
		"$KEY_B.pub" >"$other"
	expect_exit 0 "locked elsewhere: policy check warns" -- "$SIGNET" \
		policy check "$other"
	expect_stderr_match 'only /etc/signet/policy.json can lock' \
		"locked elsewhere: the warning says only the system policy locks"
	rm -f "$sys" "$TEST_HOME/.config/signet/policy.json"
}

# ---- linked policies ---------------------------------------------------------

# t53_k8s DIR POLICY_JSON: a Kubernetes config map's layout in DIR: the
# files in ..2026_12_03_xx, ..data linking to it, and each top-level name
# linking through ..data (keys/ a folder of keys, a.pub a file).
t53_k8s() {
	local d=$1 v=..2026_12_03_21_00_00.123456789
	mkdir -p "$d/$v/keys"
	cp "$KEY_A.pub" "$d/$v/a.pub"
	cp "$KEY_A.pub" "$d/$v/keys/a.pub"
	printf '%s\n' "$2" >"$d/$v/policy.json"
	ln -sfn "$v" "$d/..data"
	ln -sfn ..data/policy.json "$d/policy.json"
	ln -sfn ..data/a.pub "$d/a.pub"
	ln -sfn ..data/keys "$d/keys"
}

t53_links() {
	local dg dgb
	dg=$(push_image "$R53/links:1" t53-links) || { fail "push t53/links"; return; }
	dgb=$(push_image "$R53/links:b" t53-links-b) || { fail "push t53/links:b"; return; }
	expect_exit 0 "links: sign with A" -- "$SIGNET" sign --key "$KEY_A.key" \
		"$R53/links@$dg"
	expect_exit 0 "links: sign with B" -- "$SIGNET" sign --key "$KEY_B.key" \
		"$R53/links@$dgb"
	local top='{"version":1,"keys":{"a":{"public-key":"a.pub"}},"rules":[{"scope":"**","keys":["a"]}]}'
	local sub='{"version":1,"keys":{"a":{"public-key":"keys/a.pub"}},"rules":[{"scope":"**","keys":["a"]}]}'
	t53_k8s "$T53/cm1" "$top"
	expect_exit 0 "links: config map, key file beside the policy" -- \
		"$SIGNET" verify --policy "$T53/cm1/policy.json" "$R53/links@$dg"
	expect_exit 1 "links: config map: B's signature refused" -- \
		"$SIGNET" verify --policy "$T53/cm1/policy.json" "$R53/links@$dgb"
	expect_exit 0 "links: config map: policy check" -- "$SIGNET" policy \
		check "$T53/cm1/policy.json"
	t53_k8s "$T53/cm2" "$sub"
	expect_exit 0 "links: config map, keys/ folder" -- "$SIGNET" verify \
		--policy "$T53/cm2/policy.json" "$R53/links@$dg"

	# a checkout linked from elsewhere: the link's folder holds B's key
	# under the same name; the real folder's (A's) is the one that counts
	mkdir -p "$T53/checkout/keys" "$T53/etcdir/keys"
	cp "$KEY_A.pub" "$T53/checkout/keys/a.pub"
	cp "$KEY_B.pub" "$T53/etcdir/keys/a.pub"
	printf '%s\n' "$sub" >"$T53/checkout/policy.json"
	ln -sfn "$T53/checkout/policy.json" "$T53/etcdir/policy.json"
	expect_exit 0 "links: linked checkout: A's signature verified" -- \
		"$SIGNET" verify --policy "$T53/etcdir/policy.json" "$R53/links@$dg"
	expect_exit 1 "links: linked checkout: the key beside the link not used" -- \
		"$SIGNET" verify --policy "$T53/etcdir/policy.json" "$R53/links@$dgb"
	expect_exit 0 "links: policy show names the path given" -- "$SIGNET" \
		policy show --policy "$T53/etcdir/policy.json" "$R53/links"
	expect_stdout_match "policy: +$T53/etcdir/policy.json\$" \
		"links: policy show: the path as given"
	# a link through relative folders, via \$SIGNET_POLICY
	expect_exit 0 "links: relative link via SIGNET_POLICY" -- sh -c \
		'cd "$1" && shift && exec "$@"' sh "$T53" env \
		SIGNET_POLICY=etcdir/policy.json "$SIGNET" verify "$R53/links@$dg"

	# still refused: a key file that is itself a link
	mkdir -p "$T53/lk"
	printf '%s\n' "$top" >"$T53/lk/policy.json"
	ln -sfn "$KEY_A.pub" "$T53/lk/a.pub"
	expect_exit 2 "links: a key file that is a link is still refused" -- \
		"$SIGNET" verify --policy "$T53/lk/policy.json" "$R53/links@$dg"
	expect_error_message "links: key link: says it is a link" \
		"symbolic link"
}

t53_modes
t53_dumps
t53_locked
t53_links
