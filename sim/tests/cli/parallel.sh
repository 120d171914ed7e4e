#!/usr/bin/env bash
# `mynasim run -j N` replays N files at once and reports them in file order: every report of the scenario
# library, the scenarios meant to fail, docs/examples and an invalid file is the same bytes with -j 3 as with
# -j 1 (text, JSON, JUnit), with the same exit status; --fail-fast with -j stops where it does serially; the
# closing line counts the same. Usage: parallel.sh MYNASIM SOURCE_DIR WORK_DIR
set -u
M=$1 S=$2 W=$3
rm -rf "$W" && mkdir -p "$W"
cd "$S" || exit 1 # reports name the files as given
fail=0
bad() { echo "FAIL: $*"; fail=1; }
args=(scenarios/ tests/failing-scenarios/ docs/examples/ sim/tests/cli/data/runner/d-invalid.yaml)
for f in text json junit; do
    for j in 1 3; do
        "$M" run -j "$j" --report "$f" --out "$W/$f.$j" "${args[@]}" 2>"$W/$f.$j.err"
        echo $? >"$W/$f.$j.rc"
    done
    cmp -s "$W/$f.1" "$W/$f.3" || { bad "$f: -j 3 differs from -j 1"; diff "$W/$f.1" "$W/$f.3" | head -20; }
    [ "$(cat "$W/$f.1.rc")" = 2 ] || bad "$f: -j 1 exited $(cat "$W/$f.1.rc"), expected 2 (an invalid file)"
    cmp -s "$W/$f.1.rc" "$W/$f.3.rc" || bad "$f: exit statuses differ"
    # the closing lines agree but for the time
    a=$(tail -n 1 "$W/$f.1.err" | sed 's/, [0-9.]* s)$//') b=$(tail -n 1 "$W/$f.3.err" | sed 's/, [0-9.]* s)$//')
    [ "$a" = "$b" ] || bad "$f: closing lines differ: '$a' and '$b'"
done
grep -q '^scenarios: [0-9]* passed, [1-9][0-9]* failed, 1 invalid$' "$W/text.3" || bad "-j 3: no summary"
for j in 1 3; do
    "$M" run -q -j "$j" --fail-fast --out "$W/ff.$j" "${args[@]}" 2>/dev/null
    echo $? >"$W/ff.$j.rc"
done
cmp -s "$W/ff.1" "$W/ff.3" || { bad "--fail-fast: -j 3 differs from -j 1"; diff "$W/ff.1" "$W/ff.3" | head; }
# in sorted order the invalid file (sim/...) comes before the failing ones (tests/...): the run stops there
[ "$(cat "$W/ff.3.rc")" = 2 ] || bad "--fail-fast -j 3 exited $(cat "$W/ff.3.rc"), expected 2"
grep -q '^scenarios: [0-9]* passed, 0 failed, 1 invalid$' "$W/ff.3" || bad "--fail-fast -j 3: $(tail -n 1 "$W/ff.3")"
"$M" run -q -j 65 docs/examples/ 2>/dev/null
[ $? = 2 ] || bad "-j 65 accepted"
exit $fail
