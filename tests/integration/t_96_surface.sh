# shellcheck shell=bash
# The user surface: each command's usage is its man page's SYNOPSIS, the
# bash completion offers every option the usage names, and make install /
# uninstall put exactly our files in place and take them away again.
# Needs no registry. Sourced by run.sh.

T96=$WORK/t96
T96_ROOT=$(cd "$here/../.." && pwd)
mkdir -p "$T96"

# The commands "signet help" lists.
t96_commands() {
	"$SIGNET" help | sed -n 's/^  \([a-z][a-z0-9-]*\)  *.*/\1/p'
}

# One synopsis per line, blanks collapsed: from "signet help CMD" ...
t96_usage() {
	"$SIGNET" help "$1" | sed -n 's/^\(usage:\)\{0,1\}  *\(signet .*\)/\2/p' |
		tr -s ' \t' '  ' | sed 's/ *$//'
}

# ... and from the SYNOPSIS of man page $1, rendered by mandoc.
t96_synopsis() {
	MANWIDTH=400 mandoc -Tascii -O width=400 "$1" | sed 's/.\x08//g' |
		sed -n '/^SYNOPSIS$/,/^[A-Z]/p' | sed '1d;$d' | sed '/^ *$/d' |
		tr -s ' \t' '  ' | sed 's/^ //; s/ *$//'
}

t96_synopses() {
	local c page want got n=0
	for c in $(t96_commands); do
		n=$((n + 1))
		page=$("$SIGNET" help "$c" | sed -n 's/^see \(signet[a-z-]*\)(1)$/\1/p')
		if [ -z "$page" ] || [ ! -f "$T96_ROOT/man/$page.1" ]; then
			fail "help $c: names a man page of man/" \
				"got '$("$SIGNET" help "$c" | tail -n 1)'"
			continue
		fi
		want=$(t96_usage "$c")
		got=$(t96_synopsis "$T96_ROOT/man/$page.1")
		# signet(1) has a line of its own for each command it documents
		[ "$page" = signet ] && got=$(grep -E "^signet $c( |$)" <<<"$got")
		if [ -n "$want" ] && [ "$want" = "$got" ]; then
			pass "help $c: the SYNOPSIS of $page(1)"
		else
			fail "help $c: the SYNOPSIS of $page(1)" \
				"help: $want" "man:  $got"
		fi
		run_cmd "$SIGNET" "$c" --help
		if [ "$LAST_RC" = 0 ] && [ "$(cat "$LAST_OUT")" = "$("$SIGNET" help "$c")" ]; then
			pass "$c --help: the same as help $c"
		else
			fail "$c --help: the same as help $c"
			last_detail
		fi
	done
	check "help lists the commands" -- test "$n" -ge 10
	# no page for a command signet does not have
	for page in "$T96_ROOT"/man/signet-*.1; do
		c=${page##*/signet-}
		c=${c%.1}
		check "man page signet-$c(1) is a command's" -- \
			grep -qx "$c" <(t96_commands)
	done
	expect_exit 2 "help of an unknown command" -- "$SIGNET" help frobnicate
	expect_error_message "help of an unknown command: named" "'frobnicate'"
}

t96_version() {
	expect_exit 0 "version" -- "$SIGNET" version
	expect_stdout_match '^signet [0-9]+\.[0-9]+\.[0-9]+ \(OpenSSL [^,]+, libcurl [^,]+, jansson [^)]+\)$' \
		"version names OpenSSL, libcurl and jansson"
	expect_exit 0 "--version" -- "$SIGNET" --version
	expect_stdout_match '^signet [0-9]' "--version prints the version"
	check "signet(1) documents version" -- \
		grep -q 'OpenSSL, libcurl and jansson' "$T96_ROOT/man/signet.1"
}

t96_completion() {
	local script=$T96/signet.bash keys=$T96/keys
	expect_exit 0 "completion bash" -- "$SIGNET" completion bash
	cp "$LAST_OUT" "$script"
	check "completion: bash -n accepts the script" -- bash -n "$script"
	expect_exit 2 "completion for another shell" -- "$SIGNET" completion zsh
	expect_error_message "completion for another shell: named" "'zsh'"

	mkdir -p "$keys/sub"
	touch "$keys/a.key" "$keys/b.pub" "$keys/c.crt" "$keys/notes.txt" \
		"$keys/policy.json"
	# comp WORD...: what completing the last WORD offers, one per line
	cat >"$T96/comp.sh" <<-'EOF'
	set -u
	. "$1"
	shift
	if [ "$1" = -p ]; then complete -p signet; exit; fi
	COMP_WORDS=("$@")
	COMP_CWORD=$(($# - 1))
	COMPREPLY=()
	_signet
	printf '%s\n' "${COMPREPLY[@]}"
	EOF
	t96_comp() {
		(cd "$keys" && bash --norc --noprofile "$T96/comp.sh" "$script" \
			"$@" 2>>"$T96/comp.err")
	}
	check "completion: complete -p signet after sourcing" -- \
		grep -q '^complete -F _signet signet$' <(t96_comp -p)

	check "completion: the commands" -- \
		diff <(t96_comp "$SIGNET" '' | grep -v '^-' | sort) \
		<(t96_commands | sort)
	check "completion: help COMMAND" -- \
		diff <(t96_comp "$SIGNET" help '' | sort) <(t96_commands | sort)
	check "completion: keys subcommands" -- \
		diff <(t96_comp "$SIGNET" keys '' | sort) \
		<(printf '%s\n' export generate import show)

	# every long option a usage line names is offered after "--"
	local c sub line opt offered
	for c in $(t96_commands); do
		[ "$c" = help ] && continue
		while IFS= read -r line; do
			sub=$(awk '$3 ~ /^[a-z]/ { print $3 }' <<<"$line")
			offered=$(t96_comp "$SIGNET" "$c" ${sub:+"$sub"} --)
			for opt in $(grep -o -- '--[a-z0-9][a-z0-9-]*' <<<"$line" |
				     sort -u); do
				if grep -qx -- "$opt" <<<"$offered"; then
					pass "completion: $c${sub:+ $sub} offers $opt"
				else
					fail "completion: $c${sub:+ $sub} offers $opt" \
						"offered: $(echo $offered)"
				fi
			done
		done < <(t96_usage "$c")
	done
	check "completion: sign offers the common options" -- \
		grep -qx -- --ca-file <(t96_comp "$SIGNET" sign --)

	check "completion: sign --key offers key files and pkcs11:" -- \
		diff <(t96_comp "$SIGNET" sign --key '' | sort) \
		<(printf '%s\n' a.key b.pub c.crt pkcs11: sub)
	check "completion: sign -k pk offers pkcs11:" -- \
		diff <(t96_comp "$SIGNET" sign -k pk) <(echo pkcs11:)
	check "completion: verify --key offers key files only" -- \
		diff <(t96_comp "$SIGNET" verify --key '' | sort) \
		<(printf '%s\n' a.key b.pub c.crt sub)
	check "completion: verify --policy offers any file" -- \
		grep -qx policy.json <(t96_comp "$SIGNET" verify --policy '')
	check "completion: verify --format offers the formats" -- \
		diff <(t96_comp "$SIGNET" verify --format '' | sort) \
		<(printf '%s\n' cosign notation sigstore-bundle)
	check "completion: keys generate --type offers the types" -- \
		grep -qx rsa-4096 <(t96_comp "$SIGNET" keys generate --type '')
	check "completion: verify --offline offers folders" -- \
		diff <(t96_comp "$SIGNET" verify --offline '') <(echo sub)
	check "completion: an image offers nothing" -- \
		test -z "$(t96_comp "$SIGNET" verify --key a.pub '')"
	check "completion: nothing after run's --" -- \
		test -z "$(t96_comp "$SIGNET" run -- docker run --)"
	check "completion: no error, even under set -u" -- \
		not test -s "$T96/comp.err"
	[ -s "$T96/comp.err" ] && head -n 3 "$T96/comp.err" | sed 's/^/       /' >&2
}

t96_install() {
	local src=$T96/src dest=$T96/dest p=/usr/local got
	# a copy of what install reads: this binary, the Makefile, man/
	mkdir -p "$src"
	cp "$T96_ROOT/Makefile" "$src/" && cp -r "$T96_ROOT/man" "$src/" &&
		cp "$SIGNET" "$src/signet" || { fail "install: copy the tree"; return; }
	run_cmd make -s -C "$src" -o signet install DESTDIR="$dest" PREFIX="$p"
	if [ "$LAST_RC" != 0 ]; then
		fail "make install into a DESTDIR"
		last_detail
		return
	fi
	pass "make install into a DESTDIR"
	got=$(cd "$dest" && find . ! -type d | sort)
	check "install: the binary, every man page, completion, plugin" -- \
		diff <(echo "$got") <(
		{
			echo "./usr/local/bin/signet"
			echo "./usr/local/lib/docker/cli-plugins/docker-signet"
			echo "./usr/local/share/bash-completion/completions/signet"
			(cd "$T96_ROOT/man" && ls *.1) | sed 's|^|./usr/local/share/man/man1/|'
			(cd "$T96_ROOT/man" && ls *.5) | sed 's|^|./usr/local/share/man/man5/|'
		} | sort)
	expect_exit 0 "install: the installed binary runs" -- \
		"$dest$p/bin/signet" version
	expect_stdout_match '^signet [0-9]' "install: the installed binary's version"
	check "install: the plugin link names the installed binary" -- \
		test "$(readlink -f "$dest$p/lib/docker/cli-plugins/docker-signet")" = \
		"$(readlink -f "$dest$p/bin/signet")"
	check "install: the man pages lint clean" -- \
		mandoc -Tlint -Wwarning "$dest$p"/share/man/man1/*.1 \
		"$dest$p"/share/man/man5/*.5
	check "install: man1 and man5 modes are 0644" -- \
		test -z "$(find "$dest$p/share" -type f ! -perm 0644)"
	check "install: the completion is this signet's" -- \
		cmp -s "$dest$p/share/bash-completion/completions/signet" \
		"$T96/signet.bash"
	run_cmd make -s -C "$src" -o signet uninstall DESTDIR="$dest" PREFIX="$p"
	if [ "$LAST_RC" = 0 ]; then
		pass "make uninstall"
	else
		fail "make uninstall"
		last_detail
	fi
	check "uninstall: nothing of ours is left" -- \
		test -z "$(cd "$dest" && find . ! -type d)"
}

t96_synopses
t96_version
t96_completion
t96_install
