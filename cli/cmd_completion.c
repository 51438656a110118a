/*
 * cmd_completion.c - signet completion bash: the bash completion script.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"

const char cmd_completion_usage[] = "signet completion bash";

/* The completion script asks "signet help" for the commands, their
 * options and the values those take, so it cannot drift from them. */
static const char completion_bash[] =
	"# bash completion for signet(1), from 'signet completion bash'.\n"
	"# Commands, options and their values are read from 'signet help', so\n"
	"# they always match the signet being completed.\n"
	"_signet_commands()\n"
	"{\n"
	"\t\"$1\" help 2>/dev/null |\n"
	"\t\tsed -n 's/^  \\([a-z][a-z0-9-]*\\)  *.*/\\1/p'\n"
	"}\n"
	"\n"
	"_signet()\n"
	"{\n"
	"\tlocal cur=${COMP_WORDS[COMP_CWORD]-}\n"
	"\tlocal prev=${COMP_WORDS[COMP_CWORD-1]-}\n"
	"\tlocal bin=${COMP_WORDS[0]} cmd=${COMP_WORDS[1]-}\n"
	"\tlocal sub= arg= text= w i\n"
	"\tlocal -a ws lines\n"
	"\tCOMPREPLY=()\n"
	"\tcase $bin in \"~/\"*) bin=$HOME/${bin#\"~/\"} ;; esac\n"
	"\tcommand -v \"$bin\" >/dev/null 2>&1 || return\n"
	"\tif [ \"$COMP_CWORD\" -eq 1 ]; then\n"
	"\t\tw=\"--help --version $(_signet_commands \"$bin\")\"\n"
	"\t\tmapfile -t COMPREPLY < <(compgen -W \"$w\" -- \"$cur\")\n"
	"\t\treturn\n"
	"\tfi\n"
	"\tfor ((i = 2; i < COMP_CWORD; i++)); do\n"
	"\t\t[ \"${COMP_WORDS[i]}\" = -- ] && return\t# docker's words\n"
	"\tdone\n"
	"\tif [ \"$cmd\" = help ]; then\n"
	"\t\t[ \"$COMP_CWORD\" -eq 2 ] || return\n"
	"\t\tw=$(_signet_commands \"$bin\")\n"
	"\t\tmapfile -t COMPREPLY < <(compgen -W \"$w\" -- \"$cur\")\n"
	"\t\treturn\n"
	"\tfi\n"
	"\t# the usage lines of this command, \"signet CMD ...\" each\n"
	"\tmapfile -t lines < <(\"$bin\" help \"$cmd\" 2>/dev/null |\n"
	"\t\tsed -n 's/^\\(usage:\\)\\{0,1\\}  *signet /signet /p')\n"
	"\t[ \"${#lines[@]}\" -gt 0 ] || return\n"
	"\t# keys, policy, completion: a subcommand first\n"
	"\tfor w in \"${lines[@]}\"; do\n"
	"\t\tread -r -a ws <<<\"$w\"\n"
	"\t\tcase ${ws[2]-} in [a-z]*) sub=\"$sub ${ws[2]}\" ;; esac\n"
	"\tdone\n"
	"\tif [ -n \"$sub\" ]; then\n"
	"\t\tif [ \"$COMP_CWORD\" -eq 2 ]; then\n"
	"\t\t\tmapfile -t COMPREPLY < <(compgen -W \"$sub\" -- \"$cur\")\n"
	"\t\t\treturn\n"
	"\t\tfi\n"
	"\t\tfor w in \"${lines[@]}\"; do\n"
	"\t\t\tread -r -a ws <<<\"$w\"\n"
	"\t\t\t[ \"${ws[2]-}\" = \"${COMP_WORDS[2]}\" ] && text=\"$text $w\"\n"
	"\t\tdone\n"
	"\t\tsub=${COMP_WORDS[2]}\n"
	"\telse\n"
	"\t\ttext=\"${lines[*]}\"\n"
	"\tfi\n"
	"\tcase $text in *\"[options]\"*)\n"
	"\t\tw=$(\"$bin\" help 2>/dev/null |\n"
	"\t\t\tsed -n '/^common options: /{N;s/^common options: //;p;}')\n"
	"\t\ttext=\"$text ${w//,/}\" ;;\n"
	"\tesac\n"
	"\tread -r -a ws <<<\"$text\"\n"
	"\tcase $prev in -k) prev=--key ;; esac\n"
	"\tfor ((i = 0; i + 1 < ${#ws[@]}; i++)); do\n"
	"\t\tif [ \"${ws[i]#[}\" = \"$prev\" ]; then\n"
	"\t\t\targ=${ws[i+1]%%]*}\n"
	"\t\t\tbreak\n"
	"\t\tfi\n"
	"\tdone\n"
	"\tcase $arg in\n"
	"\t\"\" | -* | \"[\"*) ;;\n"
	"\t*pkcs11:* | FILE) if [ \"$prev\" = --key ]; then\n"
	"\t\tcompopt -o filenames 2>/dev/null\n"
	"\t\twhile IFS= read -r w; do\n"
	"\t\t\tcase $w in *.key | *.pub | *.crt) COMPREPLY+=(\"$w\") ;; *)\n"
	"\t\t\t\t[ -d \"$w\" ] && COMPREPLY+=(\"$w\") ;; esac\n"
	"\t\tdone < <(compgen -f -- \"$cur\")\n"
	"\t\tcase $arg in *pkcs11:*) case pkcs11: in \"$cur\"*)\n"
	"\t\t\tCOMPREPLY+=(pkcs11:) ;; esac ;; esac\n"
	"\t\t[ \"${COMPREPLY[*]}\" = pkcs11: ] &&\n"
	"\t\t\tcompopt -o nospace 2>/dev/null\n"
	"\t\treturn\n"
	"\tfi ;;&\n"
	"\t*FILE)\n"
	"\t\tcompopt -o filenames 2>/dev/null\n"
	"\t\tmapfile -t COMPREPLY < <(compgen -f -- \"$cur\")\n"
	"\t\treturn ;;\n"
	"\tDIR)\n"
	"\t\tcompopt -o filenames 2>/dev/null\n"
	"\t\tmapfile -t COMPREPLY < <(compgen -d -- \"$cur\")\n"
	"\t\treturn ;;\n"
	"\t*\"|\"*)\n"
	"\t\tmapfile -t COMPREPLY < <(compgen -W \"${arg//|/ }\" -- \"$cur\")\n"
	"\t\treturn ;;\n"
	"\t*)\n"
	"\t\treturn ;;\t# a value to type: KEY=VALUE, N, URI, ...\n"
	"\tesac\n"
	"\tcase $cur in\n"
	"\t-*)\n"
	"\t\tw=$(grep -o -- '--[a-z0-9][a-z0-9-]*' <<<\"$text --help\" |\n"
	"\t\t\tsort -u)\n"
	"\t\tmapfile -t COMPREPLY < <(compgen -W \"$w\" -- \"$cur\") ;;\n"
	"\t*)\n"
	"\t\t# operands: files for keys, policy and verify-blob, nothing\n"
	"\t\t# for images\n"
	"\t\tcase \"$cmd $sub\" in \"keys show\" | \"keys import\" | \\\n"
	"\t\t\t\t     \"keys export\" | \"policy check\" | \\\n"
	"\t\t\t\t     \"verify-blob \")\n"
	"\t\t\tcompopt -o filenames 2>/dev/null\n"
	"\t\t\tmapfile -t COMPREPLY < <(compgen -f -- \"$cur\") ;;\n"
	"\t\tesac ;;\n"
	"\tesac\n"
	"}\n"
	"complete -F _signet signet\n";

int cmd_completion(const struct cli_cmd *self, int argc, char **argv)
{
	const char *shell = argc > 1 ? argv[1] : "";

	if (strcmp(shell, "-h") == 0 || strcmp(shell, "--help") == 0) {
		cli_print_help(self);
		return 0;
	}
	if (argc != 2 || strcmp(shell, "bash") != 0)
		return cli_usage_error(self, argc > 2 ? "completion: give "
				       "one shell%s" : "completion: unknown "
				       "shell '%s'; only bash is supported",
				       shell);
	fputs(completion_bash, stdout);
	return 0;
}
