#!/bin/sh
# `mynasim run --extract DIR` and `mynasim shrink` from the command line (docs/POPULATIONS.md, "From a population
# failure to a scenario"): extraction into a new nested directory, each file valid and failing alone (exit 1),
# a second extraction refused (exit 2) unless --force; shrink of the planted failure to a file `mynasim run`
# fails the same way, the same bytes twice; a passing file refused with exit 2 and "nothing fails".
# Usage: extract_shrink_cli.sh MYNASIM SOURCE_DIR WORK_DIR
set -u
M=$1 S=$2 W=$3
rm -rf "$W"
mkdir -p "$W"
fail=0
check() { # check WANT_STATUS GOT_STATUS WHAT
    if [ "$2" != "$1" ]; then
        echo "FAIL: $3 exited $2, expected $1"
        cat "$W/out" "$W/err"
        fail=1
    fi
}
POP=$S/sim/tests/replay/data/extract/small-population-with-gaps.yaml
"$M" run --fidelity rules --extract "$W/x/y" "$POP" >"$W/out" 2>"$W/err"
check 0 $? "run --extract"
grep -q "mynasim run: extracted [1-9][0-9]* residents\? with gap days to $W/x/y" "$W/err" ||
    { echo "FAIL: no extraction line"; cat "$W/err"; fail=1; }
n=$(ls "$W/x/y" | grep -c '\.yaml$')
[ "$n" -eq 3 ] || { echo "FAIL: $n files extracted, expected 3"; fail=1; }
"$M" check "$W/x/y" >"$W/out" 2>"$W/err"
check 0 $? "check of the extracted files"
# The population's policy, a relative path, is named by an absolute one in the files written elsewhere.
grep -q '^policy: "/.*/fixtures/policies/national.yaml"$' "$W"/x/y/*.yaml || { echo "FAIL: policy path"; fail=1; }
for f in "$W"/x/y/*.yaml; do
    "$M" run -q "$f" >"$W/out" 2>"$W/err"
    check 1 $? "run $f"
    grep -q 'INV-1' "$W/out" || { echo "FAIL: $f does not fail on its gap days"; fail=1; }
done
"$M" run -q --fidelity rules --extract "$W/x/y" "$POP" >"$W/out" 2>"$W/err"
check 2 $? "a second run --extract"
grep -q 'not overwritten (--force replaces it)' "$W/err" "$W/out" || { echo "FAIL: no refusal"; cat "$W/err"; fail=1; }
"$M" run -q --fidelity rules --extract "$W/x/y" --force "$POP" >"$W/out" 2>"$W/err"
check 0 $? "run --extract --force"
# --policy PATH is relative to the current directory: the files name it absolutely and run from anywhere.
cp "$S/fixtures/policies/national.yaml" "$W/my-policy.yaml"
(cd "$W" && "$M" run -q --fidelity rules --policy my-policy.yaml --extract p "$POP") >"$W/out" 2>"$W/err"
check 0 $? "run --policy PATH --extract"
grep -q "^policy: \"$W/my-policy.yaml\"\$" "$W"/p/*.yaml || { echo "FAIL: --policy path"; head -5 "$W"/p/*.yaml; fail=1; }
(cd / && "$M" check "$W/p") >"$W/out" 2>"$W/err"
check 0 $? "check of the files extracted under --policy PATH"
# An absolute --policy PATH is named as it is.
"$M" run -q --fidelity rules --policy "$W/my-policy.yaml" --extract "$W/abs" "$POP" >"$W/out" 2>"$W/err"
check 0 $? "run --policy /ABSOLUTE --extract"
grep -q "^policy: \"$W/my-policy.yaml\"\$" "$W"/abs/*.yaml || { echo "FAIL: absolute --policy path"; fail=1; }
"$M" run -q --force "$POP" >"$W/out" 2>"$W/err"
check 2 $? "run --force without --extract"
"$M" run --help >"$W/out" 2>"$W/err"
grep -q -- '--extract DIR' "$W/out" && grep -q -- '--force' "$W/out" || { echo "FAIL: --help"; fail=1; }

P=$S/sim/tests/replay/data/shrink/planted-thirty-residents.yaml
"$M" shrink --fidelity rules --out "$W/small.yaml" "$P" >"$W/out" 2>"$W/err"
check 0 $? "shrink"
grep -q 'mynasim shrink: residents 30 -> 2,' "$W/err" || { echo "FAIL: no closing line"; cat "$W/err"; fail=1; }
! grep -q 'shrinking' "$W/err" || { echo "FAIL: progress printed where stderr is not a terminal"; fail=1; }
"$M" shrink -q --fidelity rules "$P" >"$W/small2.yaml" 2>"$W/err"
check 0 $? "shrink to stdout"
cmp -s "$W/small.yaml" "$W/small2.yaml" || { echo "FAIL: shrink is not deterministic"; fail=1; }
[ ! -s "$W/err" ] || { echo "FAIL: -q printed"; cat "$W/err"; fail=1; }
"$M" run -q "$P" >"$W/before" 2>"$W/err"
check 1 $? "run the planted file"
"$M" run -q "$W/small.yaml" >"$W/after" 2>"$W/err"
check 1 $? "run the shrunk file"
# The same failures: the failed lines, file:line:column aside, name the same residents, days and rules.
failed() { awk '/^failed:/ { on = 1; next } !/^  / { on = 0 } on' "$1" | sed -E 's/^  [^ ]+:[0-9]+:[0-9]+: //' | sort; }
failed "$W/before" >"$W/b"
failed "$W/after" >"$W/a"
[ -s "$W/b" ] || { echo "FAIL: no failed lines in the planted file's report"; fail=1; }
cmp -s "$W/a" "$W/b" || { echo "FAIL: the shrunk file fails otherwise"; diff "$W/b" "$W/a"; fail=1; }
"$M" shrink "$S/sim/tests/replay/data/run/passes.yaml" >"$W/out" 2>"$W/err"
check 2 $? "shrink of a passing file"
grep -q 'nothing fails' "$W/err" || { echo "FAIL: no 'nothing fails'"; cat "$W/err"; fail=1; }
"$M" shrink --help >"$W/out" 2>"$W/err"
check 0 $? "shrink --help"
grep -q -- '--out FILE2' "$W/out" && grep -q -- '--fidelity' "$W/out" && grep -q -- '--quiet' "$W/out" ||
    { echo "FAIL: shrink --help"; fail=1; }
"$M" shrink >"$W/out" 2>"$W/err"
check 2 $? "shrink without FILE"
exit $fail
