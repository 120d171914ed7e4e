#!/bin/sh
# Population reports against golden files (a population of 200 with a fixed seed is deterministic), the
# per-resident detail (`--detail`: one JSON line per generated resident, on stdout; the report on stderr and
# unchanged by it), and the implicit INV-1 invariant of populations (gap days with no `who: all` gap_days
# expectation: exit 1 naming the count and the rules).
# Usage: population.sh MYNASIM DATA_DIR WORK_DIR. MYNASIM_UPDATE_GOLDEN=1 rewrites the golden files.
set -u
M=$1 D=$2 W=$3
mkdir -p "$W"
fail=0
cd "$D" || exit 1 # reports name the file as given: run from the data directory
for f in text json junit; do
    case $f in text) ext=txt ;; json) ext=json ;; junit) ext=junit.xml ;; esac
    "$M" run --quiet --report "$f" population.yaml >"$W/population.$ext" 2>"$W/err"
    rc=$?
    [ "$rc" = 0 ] || { echo "FAIL: $f report exited $rc"; cat "$W/err"; fail=1; }
    if [ "${MYNASIM_UPDATE_GOLDEN:-0}" = 1 ]; then
        cp "$W/population.$ext" "population.$ext"
    elif ! cmp -s "$W/population.$ext" "population.$ext"; then
        echo "FAIL: the $f report differs from $D/population.$ext"
        diff "population.$ext" "$W/population.$ext" | head -20
        fail=1
    fi
    # --detail: the same report on stderr (one thread, the same aggregates), the residents on stdout.
    "$M" run --quiet --detail --report "$f" population.yaml >"$W/detail.jsonl" 2>"$W/detail-report.$ext"
    rc=$?
    [ "$rc" = 0 ] || { echo "FAIL: --detail --report $f exited $rc"; fail=1; }
    cmp -s "$W/population.$ext" "$W/detail-report.$ext" ||
        { echo "FAIL: the $f report differs with --detail"; fail=1; }
done
lines=$(wc -l <"$W/detail.jsonl")
[ "$lines" -eq 200 ] || { echo "FAIL: --detail wrote $lines lines, expected 200"; fail=1; }
ids=$(grep -o '"id":"h[0-9]*-[0-9]*"' "$W/detail.jsonl" | sort -u | wc -l)
[ "$ids" -eq 200 ] || { echo "FAIL: --detail has $ids distinct resident ids, expected 200"; fail=1; }
"$M" run --quiet --detail --out "$W/detail2.jsonl" population.yaml 2>/dev/null
cmp -s "$W/detail.jsonl" "$W/detail2.jsonl" || { echo "FAIL: --detail --out differs from stdout"; fail=1; }
# core's writer names its temporary .NAME.tmp-XXXXXXXXXXXX beside the target (docs/FILES.md).
! ls -A "$W" | grep -q '^\.detail2\.jsonl\.tmp-' || { echo "FAIL: a temporary of $W/detail2.jsonl left behind"; fail=1; }
# Gap days in the population and no `who: all` gap_days expectation: exit 1, naming the count and the rule.
"$M" run --quiet population-gaps.yaml >"$W/gaps.txt" 2>&1
rc=$?
[ "$rc" = 1 ] || { echo "FAIL: population-gaps.yaml exited $rc, expected 1"; cat "$W/gaps.txt"; fail=1; }
grep -q 'population-gaps.yaml:8:13: invariant: .*got 60, caused most by PAPER-2 (60) (rule INV-1)' "$W/gaps.txt" ||
    { echo "FAIL: no population invariant naming the count and the rule"; cat "$W/gaps.txt"; fail=1; }
# ... and its text report (rules, the days with most gaps) against its golden file.
if [ "${MYNASIM_UPDATE_GOLDEN:-0}" = 1 ]; then
    cp "$W/gaps.txt" population-gaps.txt
elif ! cmp -s "$W/gaps.txt" population-gaps.txt; then
    echo "FAIL: the text report differs from $D/population-gaps.txt"
    diff population-gaps.txt "$W/gaps.txt" | head -20
    fail=1
fi
exit $fail
