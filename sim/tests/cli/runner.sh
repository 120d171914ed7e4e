#!/usr/bin/env bash
# `mynasim run` as a test runner (docs/SCENARIO-RUNNING-NOTES.md, The runner): the closing summary in the text
# report and on stderr, progress only on a terminal (a pty from script(1)) and cleared before anything else,
# one invalid file reported in every format while the others still run (exit 2), --only/--rule/--tags,
# --fail-fast, -q/-v, expectation names and scenario tags, and JUnit valid against docs/junit.xsd (xmllint)
# whose reports of two policies merge without two suites or two cases taking one name.
# Usage: runner.sh MYNASIM SOURCE_DIR WORK_DIR
set -u
M=$1 S=$2 W=$3
D=$S/sim/tests/cli/data/runner
XSD=$S/docs/junit.xsd
rm -rf "$W" && mkdir -p "$W"
fail=0
bad() { echo "FAIL: $*"; fail=1; }
# run STATUS ARGS...: mynasim run ARGS, stdout in $W/out, stderr in $W/err, checks the exit status
run() {
    local want=$1
    shift
    "$M" run "$@" >"$W/out" 2>"$W/err"
    local got=$?
    if [ "$got" != "$want" ]; then
        bad "mynasim run $* exited $got, expected $want"
        cat "$W/out" "$W/err"
    fi
}
has() { grep -qF -- "$2" "$1" || { bad "$1 lacks '$2'"; sed 's/^/  | /' "$1" | head -40; }; }
hasnt() { ! grep -qF -- "$2" "$1" || bad "$1 has '$2'"; }
ESC=$(printf '\033')

# ---- the closing summary ---------------------------------------------------------------------------------
run 0 "$D/a-named.yaml" "$D/b-plain.yaml"
[ "$(tail -n 1 "$W/out")" = "scenarios: 2 passed, 0 failed" ] || bad "text report does not end with its summary"
grep -Eq '^mynasim run: 2 passed, 0 failed, 0 invalid \(2 files, 8 expectations, [0-9]+\.[0-9] s\)$' "$W/err" ||
    { bad "no closing line on stderr"; cat "$W/err"; }
hasnt "$W/err" "$ESC" # stderr is not a terminal: no progress
run 0 -q "$D/a-named.yaml" "$D/b-plain.yaml"
[ ! -s "$W/err" ] || { bad "-q: stderr not empty"; cat "$W/err"; }
[ "$(tail -n 1 "$W/out")" = "scenarios: 2 passed, 0 failed" ] || bad "-q changed the report"
run 1 -v "$D/a-named.yaml" "$D/c-fails.yaml"
has "$W/err" "PASS    $D/a-named.yaml (5 expectations)"
has "$W/err" "FAIL    $D/c-fails.yaml (2 expectations)"
run 2 -q -v "$D/b-plain.yaml"

# ---- progress only on a terminal, its line cleared before anything else --------------------------------
if command -v script >/dev/null 2>&1; then
    script -qec "'$M' run '$D/a-named.yaml' '$D/b-plain.yaml' '$D/c-fails.yaml'" /dev/null >"$W/tty" 2>&1
    st=$?
    [ "$st" = 1 ] || bad "on a terminal: exit $st, expected 1"
    has "$W/tty" "[1/3] $D/a-named.yaml"
    has "$W/tty" "$ESC[K"
    # after the last erase on each line, no piece of progress is left: every line a reader sees is whole
    tr -d '\r' <"$W/tty" | sed "s/.*$ESC\[K//" >"$W/tty.seen"
    if grep -Eq '\[[0-9]+/[0-9]+\]' "$W/tty.seen"; then
        bad "a progress line was not cleared"
        grep -En '\[[0-9]+/[0-9]+\]' "$W/tty.seen" | head
    fi
    has "$W/tty.seen" "scenarios: 2 passed, 1 failed"
    has "$W/tty.seen" "PASS runner-named ($D/a-named.yaml)"
    script -qec "'$M' run -q '$D/a-named.yaml'" /dev/null >"$W/tty" 2>&1
    hasnt "$W/tty" "$ESC"
    hasnt "$W/tty" "mynasim run:"
else
    bad "script(1) (bsdutils) is missing: ci/install-deps installs it"
fi

# ---- one invalid file: an error in every format, the others still run, exit 2 ---------------------------
run 2 "$D"
has "$W/err" "d-invalid.yaml:4:7: field 'tags' is new in format 2"
has "$W/out" "INVALID $D/d-invalid.yaml: 2 problems"
has "$W/out" "  $D/d-invalid.yaml:11:11: field 'who': unknown resident 'nobody'"
has "$W/out" "PASS runner-named"
has "$W/out" "FAIL runner-fails"
[ "$(tail -n 1 "$W/out")" = "scenarios: 2 passed, 1 failed, 1 invalid" ] || bad "summary with an invalid file"
has "$W/err" "mynasim run: 2 passed, 1 failed, 1 invalid (4 files"
run 2 -q --report json --out "$W/all.json" "$D"
has "$W/all.json" '"invalid": true'
has "$W/all.json" '"message": "field '"'"'who'"'"': unknown resident '"'"'nobody'"'"'"'
has "$W/all.json" '"scenario": "runner-named"'
run 2 -q --report junit --out "$W/all.xml" "$D"
has "$W/all.xml" '<error message="not valid: 2 problems" type="invalid">'
has "$W/all.xml" 'errors="1"'
has "$W/all.xml" '<testsuite name="runner-plain (national)"'

# ---- selection and stopping ----------------------------------------------------------------------------
run 0 -q --only 'runner-n*' "$D/a-named.yaml" "$D/b-plain.yaml" "$D/c-fails.yaml"
has "$W/out" "runner-named"
hasnt "$W/out" "runner-plain"
[ "$(tail -n 1 "$W/out")" = "scenarios: 1 passed, 0 failed" ] || bad "--only: summary"
run 1 --only runner-plain --only runner-fails "$D/a-named.yaml" "$D/b-plain.yaml" "$D/c-fails.yaml"
has "$W/err" "mynasim run: 1 passed, 1 failed, 0 invalid, 1 not selected (2 files"
run 1 -q --tags desk,nothing "$D/a-named.yaml" "$D/b-plain.yaml" "$D/c-fails.yaml"
has "$W/out" "FAIL runner-fails"
hasnt "$W/out" "runner-named"
run 0 -q --tags lost-card "$D/a-named.yaml" "$D/b-plain.yaml" "$D/c-fails.yaml"
has "$W/out" "PASS runner-named"
# --rule: only the expectations pinning it (c-fails' failing one pins CERT-7); every file replayed, the
# invariants always judged
run 0 -q --rule AMEND-1 "$D/a-named.yaml" "$D/b-plain.yaml" "$D/c-fails.yaml"
has "$W/out" "PASS runner-named ($D/a-named.yaml): policy national, 1 resident, expectations 1 passed 0 failed"
has "$W/out" "PASS runner-plain ($D/b-plain.yaml): policy national, 1 resident, expectations 0 passed 0 failed"
has "$W/out" "PASS runner-fails"
hasnt "$W/out" "lacks"
[ "$(tail -n 1 "$W/out")" = "scenarios: 3 passed, 0 failed" ] || bad "--rule: summary"
run 1 -q --rule CERT-7 "$D/c-fails.yaml"
run 2 -q --rule AMEND-9 "$D/a-named.yaml" "$D/b-plain.yaml"
has "$W/err" "mynasim run: --rule AMEND-9: no expectation of the files selected pins it"
# an invariant broken in a file is judged under any --rule (c-fails pins CERT-7; unexpected-gap only breaks INV-1)
run 1 -q --rule CERT-7 "$D/c-fails.yaml" "$S/sim/tests/replay/data/run/unexpected-gap.yaml"
has "$W/out" "invariant: r1: expected no gap days"
run 2 -q --only no-such-scenario "$D/a-named.yaml"
has "$W/err" "mynasim run: no scenario selected (1 file read)"
# --fail-fast: nothing after the first failure runs (c-fails fails; d-invalid is not reported)
run 1 --fail-fast "$D"
has "$W/out" "FAIL runner-fails"
hasnt "$W/out" "INVALID"
[ "$(tail -n 1 "$W/out")" = "scenarios: 2 passed, 1 failed" ] || bad "--fail-fast: summary"
has "$W/err" ", 1 not run (--fail-fast) (3 files"
run 2 --tags nope --only x "$D/a-named.yaml"
run 2 -q --tags , "$D/a-named.yaml"

# ---- names and tags ------------------------------------------------------------------------------------
run 1 -q "$D/a-named.yaml" "$D/c-fails.yaml"
has "$W/out" 'visit "the day after the loss, the notice still gets insured care": r1 on 2025-09-11'
has "$W/out" 'lacks "the certificate is gone": r1 on 2025-08-10'
run 1 -q --report json "$D/a-named.yaml" "$D/c-fails.yaml"
has "$W/out" '"name": "the day after the loss, the notice still gets insured care"'
has "$W/out" '"name": "lacks:23"'

# ---- JUnit: names, schema, merging two policies --------------------------------------------------------
run 1 -q --report junit --out "$W/national.xml" "$D/a-named.yaml" "$D/b-plain.yaml" "$D/c-fails.yaml"
run 1 -q --report junit --policy as-announced-2024 --out "$W/announced.xml" "$D/a-named.yaml" "$D/b-plain.yaml" \
    "$D/c-fails.yaml"
X=$W/national.xml
has "$X" '<testsuite name="runner-named (national)" tests="5" failures="0" errors="0" skipped="0" time="0"'
has "$X" '<testcase name="the day after the loss, the notice still gets insured care" classname="national.runner-named" time="0">'
has "$X" '<testcase name="r1 lacks card 2025-09-11" classname="national.runner-named"'
has "$X" '<testcase name="twice the same check"'
has "$X" '<testcase name="r1 holds certificate 2025-08-10 (line 10)" classname="national.runner-plain"'
has "$X" '<testcase name="r1 holds certificate 2025-08-10 (line 11)" classname="national.runner-plain"'
has "$X" '<property name="tags" value="amend,lost-card"/>'
has "$X" "<system-out>$D/a-named.yaml:21:5: visit &quot;the day after the loss"
has "$X" '<failure message="r1 on 2025-08-10: expected to lack certificate, got certificate usable (rule CERT-7)" type="CERT-7">'
run 1 -q --report junit --timings --out "$W/timed.xml" "$D/a-named.yaml" "$D/c-fails.yaml"
grep -Eq '<testsuite name="runner-named \(national\)" [^>]*time="[0-9]+\.[0-9]{3}"' "$W/timed.xml" ||
    bad "--timings: no suite time"
if command -v xmllint >/dev/null 2>&1; then
    for x in "$W/national.xml" "$W/announced.xml" "$W/all.xml" "$W/timed.xml"; do
        xmllint --noout --schema "$XSD" "$x" 2>"$W/xmllint" || { bad "$x is not valid against docs/junit.xsd"; cat "$W/xmllint"; }
    done
    # two policies' reports in one document: still valid, no suite name and no (classname, name) twice
    {
        echo '<?xml version="1.0" encoding="UTF-8"?>'
        echo '<testsuites name="merged">'
        sed '1,2d;$d' "$W/national.xml"
        sed '1,2d;$d' "$W/announced.xml"
        echo '</testsuites>'
    } >"$W/merged.xml"
    xmllint --noout --schema "$XSD" "$W/merged.xml" 2>"$W/xmllint" || { bad "the merged report is not valid"; cat "$W/xmllint"; }
    [ "$(grep -c '<testsuite ' "$W/merged.xml")" = 6 ] || bad "merged: expected 6 suites"
    dups=$(grep -o '<testsuite name="[^"]*"' "$W/merged.xml" | sort | uniq -d)
    [ -z "$dups" ] || bad "merged: suites share a name: $dups"
    dups=$(grep -o '<testcase name="[^"]*" classname="[^"]*"' "$W/merged.xml" | sort | uniq -d)
    [ -z "$dups" ] || bad "merged: cases share a name and class: $dups"
    grep -q 'classname="as-announced-2024.runner-named"' "$W/merged.xml" || bad "merged: no as-announced-2024 case"
else
    bad "xmllint (libxml2-utils) is missing: ci/install-deps installs it"
fi
exit $fail
