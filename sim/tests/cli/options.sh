#!/usr/bin/env bash
# Every subcommand reads its options with the one parser (sim/cli/common.c, cli_parse): "--opt=value" means
# what "--opt value" means, options may follow the FILE|DIR arguments, "--" ends the options, -h/--help prints
# the command's usage and exits 0, and an unknown option or a missing value exits 2 with one line on stderr.
# Usage: options.sh MYNASIM SOURCE_DIR
set -uo pipefail
M=$1
SRC=$2
export MYNASIM_DATA_DIR=${MYNASIM_DATA_DIR:-$SRC/fixtures}
T=$(mktemp -d /tmp/mynasim-cli-options.XXXXXX)
pid=
cleanup() {
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid"
        wait "$pid" 2>/dev/null
    fi
    rm -rf "$T"
}
trap cleanup EXIT
failed=0
fail() {
    echo "options.sh: FAIL: $*" >&2
    failed=1
}
# expect RC ARGS...: runs mynasim ARGS with stdout in $T/out and stderr in $T/err.
expect() {
    local want=$1 rc=0
    shift
    "$M" "$@" >"$T/out" 2>"$T/err" || rc=$?
    if [ "$rc" != "$want" ]; then
        fail "mynasim $* exited $rc, not $want: $(head -c 400 "$T/err")"
        return 1
    fi
}
# err_is LINE: stderr is exactly that one line.
err_is() {
    [ "$(cat "$T/err")" = "$1" ] || fail "stderr is '$(cat "$T/err")', not '$1'"
}
same() { # same A B what
    cmp -s "$1" "$2" || fail "$3: the two spellings give different output"
}

D=$SRC/sim/tests/replay/data   # the runner's and comparer's files
S=$SRC/sim/tests/scenario/data # the reader's valid files
LIB=$SRC/scenarios/clinic-reader-down-and-system-outage.yaml

# ---- run ---------------------------------------------------------------------------------------------------
expect 1 run --quiet --report json --out "$T/space.json" --policy national --fidelity rules "$D/run"
expect 1 run --quiet --report=json --out="$T/equals.json" --policy=national --fidelity=rules "$D/run"
same "$T/space.json" "$T/equals.json" "run --report/--out/--policy/--fidelity"
! ls -A "$T" | grep -q '^\.equals\.json\.tmp-' || fail "run --out=FILE left its temporary file"
grep -q '"format"' "$T/equals.json" || fail "run --report=json wrote no JSON report"
# options after the operands, and the short -q
expect 1 run "$D/run" --report=json -q --out="$T/after.json" --policy=national --fidelity=rules
same "$T/space.json" "$T/after.json" "run with options after FILE|DIR"
expect 2 run --quiet --report=xml "$D/run/passes.yaml"
err_is "mynasim run: --report 'xml': expected text, json, junit or html"
expect 2 run --quiet --fidelity=paper "$D/run/passes.yaml"
err_is "mynasim run: --fidelity 'paper': expected rules or wire"
expect 2 run --quiet --service=127.0.0.1:1 "$D/run/passes.yaml"
err_is "mynasim run: --service needs --card-control SOCKET (the card server's control channel)"
expect 2 run --quiet --card-reader=x --card-control=y "$D/run/passes.yaml"
err_is "mynasim run: --card-reader and --card-control go with --service"
expect 2 run --quiet --policy=no-such-policy "$D/run/passes.yaml"
grep -q "no-such-policy" "$T/err" || fail "run --policy=NAME: the name is not in the error"
expect 0 run --detail=yes --help
expect 2 run --detail=yes "$D/run/passes.yaml"
err_is "mynasim run: option '--detail' takes no value (see --help)"

# ---- compare -----------------------------------------------------------------------------------------------
expect 0 compare -q --policy national --policy as-announced-2024 --report json --out "$T/c-space.json" "$D/compare"
expect 0 compare -q --policy=national --policy=as-announced-2024 --report=json --out="$T/c-equals.json" "$D/compare"
same "$T/c-space.json" "$T/c-equals.json" "compare --policy/--report/--out"
expect 0 compare "$D/compare" --policy=national -q --policy as-announced-2024 --report=json --out="$T/c-after.json"
same "$T/c-space.json" "$T/c-after.json" "compare with options after FILE|DIR"
grep -q '"national"' "$T/c-equals.json" || fail "compare --policy=national: not in the report"
expect 2 compare -q --policy=national --policy= "$D/compare"
err_is "mynasim compare: --policy needs a name or a file"
expect 2 compare -q --policy=national --policy=national --policy=national "$D/compare"
err_is "mynasim compare: --policy given more than twice (see --help)"
expect 2 compare -q --policy=national "$D/compare"
err_is "mynasim compare: give two policies: --policy A --policy B (see --help)"
expect 2 compare -q --policy=national --policy=as-announced-2024 --report=junit "$D/compare"
err_is "mynasim compare: --report 'junit': expected text, json or html"

# ---- check -------------------------------------------------------------------------------------------------
expect 0 check "$S/valid"
grep -q "3 files, all valid" "$T/out" || fail "check DIR: $(cat "$T/out")"
# "--" ends the options: a file whose name starts with '-' is a file after it, an option before it
cp "$S/valid/every-field.yaml" "$T/-odd.yaml"
(cd "$T" && "$M" check -- -odd.yaml >"$T/out" 2>"$T/err") || fail "check -- -odd.yaml: $(cat "$T/err")"
grep -q "1 file, all valid" "$T/out" || fail "check -- -odd.yaml: $(cat "$T/out")"
(cd "$T" && "$M" check -odd.yaml >"$T/out" 2>"$T/err") && fail "check -odd.yaml took an option for a file"
err_is "mynasim check: unknown option '-o' (see --help)"
expect 2 run --quiet -- --report=json
grep -q -- "--report=json" "$T/err" || fail "run -- --report=json did not take it for a file: $(cat "$T/err")"
expect 0 check "$S/valid" --help
grep -q "^usage: mynasim check" "$T/out" || fail "check --help after a DIR"
expect 2 check -- --help
grep -q -- "--help" "$T/err" || fail "check -- --help did not take it for a file"

# ---- serve: --opt=value for every option, on a port of its own (0: the kernel picks a free one) ---------------
mkfifo "$T/ready"
"$M" serve --listen=127.0.0.1:0 --control --date=2025-06-02 --policy=national --seed=7 --timeout=2 "$LIB" \
    >"$T/ready" 2>"$T/serve.err" &
pid=$!
exec 3<"$T/ready"
if read -r -t 120 line <&3; then
    port=${line##*:}
    [ "${line%:*}" = "listening on http://127.0.0.1" ] || fail "serve --listen=127.0.0.1:0 printed '$line'"
    [ "$(curl -s -m 5 "http://127.0.0.1:$port/health")" = ok ] || fail "serve --listen=: /health does not answer"
    kill -TERM "$pid"
    rc=0
    wait "$pid" || rc=$?
    pid=
    [ "$rc" = 0 ] || fail "serve exited $rc on SIGTERM"
else
    fail "serve --listen=127.0.0.1:0 never said it was listening: $(cat "$T/serve.err")"
fi
exec 3<&-
expect 2 serve --listen=127.0.0.1:0 --seed=x "$LIB"
err_is "mynasim serve: --seed: not a number: x"
expect 2 serve --listen=127.0.0.1:0 --timeout=0 "$LIB"
err_is "mynasim serve: --timeout: not a number 1-3600: 0"
expect 2 serve --listen=127.0.0.1:0 --date=2025-13-01 "$LIB"
err_is "mynasim serve: --date: not a date YYYY-MM-DD: 2025-13-01"
expect 2 serve --listen=127.0.0.1:0 "$LIB" "$LIB"
err_is "mynasim serve: one scenario FILE only"

# ---- card --------------------------------------------------------------------------------------------------
PROFILE=$MYNASIM_DATA_DIR/cards/issued_2021.yaml
expect 0 card info --profile "$PROFILE" --policy national && cp "$T/out" "$T/info-space"
expect 0 card info --profile="$PROFILE" --policy=national
same "$T/info-space" "$T/out" "card info --profile/--policy"
expect 0 card cert --profile="$PROFILE" --which=sign-ca
grep -q "BEGIN CERTIFICATE" "$T/out" || fail "card cert --which=sign-ca"
expect 0 card client --profile="$PROFILE" --pin=1234 --sign-password=SIGN1234 --message=hello
grep -q "^sign-verify: ok" "$T/out" || fail "card client --sign-password=: $(cat "$T/out")"
expect 0 card bench --profile="$PROFILE" --seconds=0.05 --pin=1234
grep -q "^apdus_per_second " "$T/out" || fail "card bench --seconds="
expect 2 card bench --seconds=-1
err_is "mynasim card bench: --seconds must be a number in (0, 3600]"
expect 2 card serve --vpcd=nohostport --profile="$PROFILE" --state="$T/state" --control="$T/ctl" --policy=national
grep -q "nohostport" "$T/err" || fail "card serve --vpcd=: $(cat "$T/err")"
expect 2 card control --socket="$T/no-such.sock" status
grep -q "$T/no-such.sock" "$T/err" || fail "card control --socket=: $(cat "$T/err")"
expect 2 card info extra
err_is "mynasim card info: unexpected argument 'extra' (see --help)"

# ---- the same errors everywhere ------------------------------------------------------------------------------
while IFS='|' read -r cmd missing; do
    # shellcheck disable=SC2086
    {
        expect 2 $cmd --no-such-option && err_is "mynasim $cmd: unknown option '--no-such-option' (see --help)"
        expect 2 $cmd --no-such-option=1 && err_is "mynasim $cmd: unknown option '--no-such-option' (see --help)"
        expect 2 $cmd "$missing" && err_is "mynasim $cmd: option '$missing' needs a value (see --help)"
        for h in --help -h; do
            if expect 0 $cmd $h; then
                grep -q "^usage: mynasim $cmd" "$T/out" || fail "$cmd $h prints no usage"
            fi
        done
        expect 0 $cmd --no-such-option --help # help wins
    }
done <<'EOF'
run|--out
compare|--policy
serve|--listen
card info|--profile
card cert|--which
card serve|--vpcd
card client|--pin
card bench|--seconds
card control|--socket
EOF
expect 2 check --no-such-option "$S/valid" && err_is "mynasim check: unknown option '--no-such-option' (see --help)"
# a long name is taken whole: no abbreviations
expect 2 run --pol=national "$D/run/passes.yaml" && err_is "mynasim run: unknown option '--pol' (see --help)"
expect 2 card control --sock="$T/s" status && err_is "mynasim card control: unknown option '--sock' (see --help)"

[ "$failed" = 0 ] && echo "options.sh: PASS"
exit "$failed"
