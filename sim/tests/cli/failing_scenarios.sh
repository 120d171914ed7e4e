#!/bin/bash
# Scenarios meant to fail (tests/failing-scenarios/): each must make `mynasim run` exit 1 and, for each of its
# `# fails: LINE: fragment` comment lines, report a failure at that line of the file whose message contains
# the fragment. So the runner can never pass everything, and fails each for its stated reason.
set -uo pipefail
MYNASIM=${MYNASIM:?MYNASIM must name the built mynasim binary}
dir=${1:?the failing-scenarios directory}
status=0
count=0
for f in "$dir"/*.yaml; do
    count=$((count + 1))
    out=$("$MYNASIM" run --report text "$f" 2>&1)
    rc=$?
    if [[ $rc -ne 1 ]]; then
        echo "FAIL: $f: exit $rc, expected 1"
        echo "$out" | head -20
        status=1
        continue
    fi
    while IFS= read -r want; do
        line=${want%%:*}
        fragment=${want#*: }
        if ! grep -F -- "$f:$line:" <<<"$out" | grep -qF -- "$fragment"; then
            echo "FAIL: $f: no failure at line $line saying: $fragment"
            echo "$out" | head -30
            status=1
        fi
    done < <(sed -n 's/^# fails: *\(.*\)$/\1/p' "$f")
    if ! grep -q '^# fails:' "$f"; then
        echo "FAIL: $f has no '# fails:' line"
        status=1
    fi
done
[[ $count -gt 0 ]] || { echo "FAIL: no scenarios in $dir"; exit 1; }
[[ $status -eq 0 ]] && echo "ok: $count scenarios fail for their stated reasons"
exit $status
