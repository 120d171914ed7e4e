#!/bin/bash
# `mynasim card` from the command line: help for every subcommand, exit 2 on bad usage and bad files, the
# certificate as PEM that openssl reads, info, and serve's start-up errors. No daemon needed.
set -euo pipefail
M=${MYNASIM:?}
T=$(mktemp -d /tmp/mynasim-cli-card.XXXXXX)
trap 'rm -rf "$T"' EXIT
fail() { echo "cli_card.sh: FAIL: $*" >&2; exit 1; }
expect_rc() { # expect_rc RC CMD...
    local want=$1 rc=0
    shift
    "$@" >"$T/out" 2>"$T/err" || rc=$?
    [[ $rc -eq $want ]] || fail "'$*' exited $rc, not $want: $(cat "$T/err")"
}

expect_rc 0 "$M" card --help
for sub in cert info serve client bench control; do
    expect_rc 0 "$M" card "$sub" --help
    grep -q "^usage: mynasim card $sub" "$T/out" || fail "$sub --help prints no usage"
done
expect_rc 2 "$M" card
expect_rc 2 "$M" card frobnicate
expect_rc 2 "$M" card cert --which bogus
expect_rc 2 "$M" card cert --which
expect_rc 2 "$M" card cert --which auth --nonsense
expect_rc 2 "$M" card cert --profile /nonexistent.yaml --which auth
grep -q "nonexistent.yaml" "$T/err" || fail "the error does not name the missing profile"
printf 'id: [unclosed\n' >"$T/bad.yaml"
expect_rc 2 "$M" card info --profile "$T/bad.yaml"
grep -q "bad.yaml:" "$T/err" || fail "a bad profile's error has no position: $(cat "$T/err")"
expect_rc 2 "$M" card serve
expect_rc 2 "$M" card serve --vpcd nohostport
expect_rc 2 "$M" card serve --vpcd 127.0.0.1:0
expect_rc 2 "$M" card bench --seconds -1
expect_rc 2 "$M" card bench --reader x --profile y
expect_rc 2 "$M" card control --socket "$T/nosuch.sock" status

for which in auth auth-ca sign sign-ca; do
    expect_rc 0 "$M" card cert --which "$which"
    openssl x509 -in "$T/out" -noout || fail "cert --which $which is not a PEM certificate"
done
expect_rc 0 "$M" card cert --which=auth
openssl x509 -in "$T/out" -noout -subject >/dev/null || fail "--which=auth"
expect_rc 0 "$M" card info
grep -q "^auth PIN *3 of 3 tries left" "$T/out" || fail "info: $(cat "$T/out")"
expect_rc 0 "$M" card client --message hello
grep -q "^auth-verify: ok" "$T/out" || fail "client in process: $(cat "$T/out")"
expect_rc 1 "$M" card client --pin 0000
expect_rc 0 "$M" card bench --seconds 0.05
grep -q "^apdus_per_second [0-9]" "$T/out" || fail "bench: $(cat "$T/out")"
echo "cli_card.sh: PASS"
