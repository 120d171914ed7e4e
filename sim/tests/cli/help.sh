#!/usr/bin/env bash
# `mynasim help COMMAND` (sim/cli/main.c): the top-level help alone, every command's and subcommand's --help
# byte for byte, an unknown command exit 2 with the list of commands. And every --help lists every option of its
# command's table: with MYNASIM_HELP_CHECK set, cli_parse (sim/cli/common.c) compares the table with the text
# and exits 2 naming each option missing.
# Usage: help.sh MYNASIM WORKDIR
set -uo pipefail
M=$1
W=$2
rm -rf "$W" && mkdir -p "$W"
failed=0
fail() {
    echo "help.sh: FAIL: $*" >&2
    failed=1
}

"$M" help >"$W/help" 2>"$W/err" || fail "'mynasim help' exited $?"
"$M" --help >"$W/top" || fail "'mynasim --help' exited $?"
cmp -s "$W/help" "$W/top" || fail "'mynasim help' differs from 'mynasim --help'"
[ -s "$W/err" ] && fail "'mynasim help' wrote on stderr: $(cat "$W/err")"

# The commands from the top-level list, the subcommands from each command's own list ("subcommands:").
mapfile -t commands < <(sed -n '/^commands:/,/^$/{s/^  \([a-z][a-z-]*\) .*/\1/p}' "$W/help")
[ "${#commands[@]}" -ge 8 ] || fail "only ${#commands[@]} commands listed: ${commands[*]}"
words=()
for c in "${commands[@]}"; do
    words+=("$c")
    "$M" "$c" --help >"$W/c.help" 2>/dev/null || true
    while read -r sub; do words+=("$c $sub"); done < <(sed -n '/^subcommands:/,/^$/{s/^  \([a-z][a-z-]*\) .*/\1/p}' "$W/c.help")
    # a command with one suite named in its usage line (conform issuance)
    while read -r sub; do words+=("$c $sub"); done < <(sed -n "s/^usage: mynasim $c \\([a-z][a-z-]*\\) .*/\\1/p" "$W/c.help" | sort -u)
done
[ "${#words[@]}" -ge 15 ] || fail "only ${#words[@]} commands and subcommands found: ${words[*]}"
for w in "${words[@]}"; do
    # shellcheck disable=SC2086 # the words are split on purpose
    MYNASIM_HELP_CHECK=1 "$M" help $w >"$W/a" 2>"$W/a.err"
    rc=$?
    [ $rc -eq 0 ] || fail "'mynasim help $w' exited $rc: $(cat "$W/a.err")"
    [ -s "$W/a.err" ] && fail "'mynasim help $w' wrote on stderr: $(cat "$W/a.err")"
    # shellcheck disable=SC2086
    "$M" $w --help >"$W/b" 2>/dev/null
    cmp -s "$W/a" "$W/b" || fail "'mynasim help $w' differs from 'mynasim $w --help'"
    grep -q '^usage: mynasim' "$W/a" || fail "'mynasim help $w' prints no usage line"
done

# An unknown command: exit 2, its name and the list on stderr, nothing on stdout.
"$M" help no-such-command >"$W/u" 2>"$W/u.err"
rc=$?
[ $rc -eq 2 ] || fail "'mynasim help no-such-command' exited $rc, expected 2"
grep -q "unknown command 'no-such-command'" "$W/u.err" || fail "unknown command not named: $(cat "$W/u.err")"
grep -q '^  compare ' "$W/u.err" || fail "unknown command: the list of commands is not on stderr"
[ -s "$W/u" ] && fail "unknown command wrote on stdout"

# run's options, by name, in its help (the check above compares them with its table).
MYNASIM_HELP_CHECK=1 "$M" help run >"$W/run" || fail "'mynasim help run' failed the option check"
for opt in --report --out --quiet -q --policy --only --rule --tags --fail-fast -j --jobs -v --verbose; do
    grep -qe "$opt" "$W/run" || fail "'mynasim help run' does not list $opt"
done

[ $failed -eq 0 ] && echo "help.sh: ok (${#words[@]} commands and subcommands)"
exit $failed
