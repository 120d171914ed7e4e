#!/bin/sh
# `mynasim run` exits 0 when every expectation holds, 1 when one fails, 2 on a file that is not valid or bad
# usage; a directory is its files in sorted order, reports are the same bytes twice, and --out leaves no
# temporary file. Usage: run_exit_codes.sh MYNASIM DATA_DIR WORK_DIR (DATA_DIR-invalid holds a bad file).
set -u
M=$1 D=$2 W=$3
mkdir -p "$W"
fail=0
expect() { # expect STATUS ARGS...
    want=$1
    shift
    "$M" run --quiet "$@" >"$W/out" 2>"$W/err"
    got=$?
    if [ "$got" != "$want" ]; then
        echo "FAIL: mynasim run $* exited $got, expected $want"
        cat "$W/out" "$W/err"
        fail=1
    fi
}
expect 0 "$D/passes.yaml"
expect 1 "$D/fails.yaml"
expect 1 "$D/unexpected-gap.yaml"
expect 1 "$D/passes.yaml" "$D/fails.yaml"
expect 2 "$D-invalid/invalid.yaml"
expect 2 "$D/passes.yaml" "$D-invalid/invalid.yaml"
grep -q 'invalid/invalid.yaml:5:41: ' "$W/err" || { echo "FAIL: no file:line:column on stderr"; cat "$W/err"; fail=1; }
expect 2 --report xml "$D/passes.yaml"
expect 2
expect 0 --help
for f in text json junit; do
    expect 1 --report "$f" --out "$W/a.$f" "$D"
    expect 1 --report "$f" --out "$W/b.$f" "$D/passes.yaml" "$D/fails.yaml" "$D/unexpected-gap.yaml"
    cmp -s "$W/a.$f" "$W/b.$f" || { echo "FAIL: $f reports differ"; fail=1; }
    # core's writer names its temporary .NAME.tmp-XXXXXXXXXXXX beside the target (docs/FILES.md).
    ! ls -A "$W" | grep -q "^\.a\.$f\.tmp-" || { echo "FAIL: a temporary of $W/a.$f left behind"; fail=1; }
done
exit $fail
