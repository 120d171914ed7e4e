#!/bin/sh
# `mynasim compare` exits 0 when the comparison ran (whatever it found), 2 on a file that is not valid (every
# problem as file:line:column on stderr) or bad usage; reports are the same bytes twice, and --out leaves no
# temporary file. Usage: compare_exit_codes.sh MYNASIM DATA_DIR WORK_DIR (DATA_DIR-invalid holds a bad file).
set -u
M=$1 D=$2 W=$3
mkdir -p "$W"
fail=0
P="--policy national --policy as-announced-2024"
expect() { # expect STATUS ARGS...
    want=$1
    shift
    "$M" compare --quiet "$@" >"$W/out" 2>"$W/err"
    got=$?
    if [ "$got" != "$want" ]; then
        echo "FAIL: mynasim compare $* exited $got, expected $want"
        cat "$W/out" "$W/err"
        fail=1
    fi
}
# shellcheck disable=SC2086
{
    expect 0 $P "$D"
    grep -q 'r1: 9 gap days only under as-announced-2024, 0 only under national' "$W/out" ||
        { echo "FAIL: the lost-card resident is not reported"; cat "$W/out"; fail=1; }
    grep -q 'kept insured by AMEND-1' "$W/out" || { echo "FAIL: no AMEND-1"; fail=1; }
    expect 0 $P "$D/lost-card-in-september.yaml" # its expectation fails under as-announced: a difference, exit 0
    grep -q 'passes under national, fails under as-announced-2024' "$W/out" ||
        { echo "FAIL: the expectation failing under as-announced-2024 is not reported"; cat "$W/out"; fail=1; }
    expect 2 $P "$D-invalid/bad-date.yaml"
    grep -q 'compare-invalid/bad-date.yaml:4:32: ' "$W/err" ||
        { echo "FAIL: no file:line:column on stderr"; cat "$W/err"; fail=1; }
    expect 2 $P "$D" "$D-invalid"
    [ ! -s "$W/out" ] || { echo "FAIL: a report despite an invalid file"; fail=1; }
    expect 2 --policy national "$D"
    expect 2 --policy national --policy as-announced-2024 --policy national "$D"
    expect 2 --policy national --policy no-such-policy "$D"
    expect 2 $P --report junit "$D"
    expect 2 $P --bogus "$D"
    expect 2 $P
    expect 2 $P "$W/no-such-dir"
    expect 0 --help
    grep -q 'never a failed compare' "$W/out" || { echo "FAIL: --help does not say a failing expectation is no failure"; fail=1; }
    for f in text json; do
        expect 0 $P --report "$f" --out "$W/a.$f" "$D"
        expect 0 $P --report "$f" --out "$W/b.$f" "$D/insurer-overrides-lag.yaml" "$D/lost-card-in-september.yaml"
        cmp -s "$W/a.$f" "$W/b.$f" || { echo "FAIL: $f reports differ"; fail=1; }
        # core's writer names its temporary .NAME.tmp-XXXXXXXXXXXX beside the target (docs/FILES.md).
        ! ls -A "$W" | grep -q "^\.a\.$f\.tmp-" || { echo "FAIL: a temporary of $W/a.$f left behind"; fail=1; }
    done
}
exit $fail
