#!/usr/bin/env bash
# conform.cli: `mynasim conform issuance` end to end through the command: its exit codes (0 match, 1 differences,
# 2 usage or input, 3 SUT failure, docs/CONFORMANCE.md), a report written with --out, a JUnit report that is
# well-formed XML, and a SUT whose background child is in its process group: nothing of it is left running.
#   cli.sh MYNASIM SUT_DIR SOURCE_DIR WORK_DIR
set -uo pipefail
M=$1 SUTS=$2 SRC=$3 WORK=$4
rm -rf "$WORK" && mkdir -p "$WORK"
cd "$SRC" || exit 1
F=scenarios/nhi-paper-card-ends-2025-07-31-certificate-arrives.yaml
fail=0
# expect STATUS ARGS...: runs mynasim conform issuance ARGS, checks the exit status
expect() {
  local want=$1
  shift
  "$M" conform issuance "$@" >"$WORK/out" 2>"$WORK/err"
  local got=$?
  if [ "$got" != "$want" ]; then
    echo "FAIL: conform issuance $*: exit $got, wanted $want"
    sed 's/^/  | /' "$WORK/out" "$WORK/err"
    fail=1
  fi
}
expect 0 --sut "$SUTS/issuance-ref" "$F"
expect 0 --sut "$SUTS/issuance-ref" --from 2025-07-01 --to 2025-07-31 --policy as-announced-2024 "$F"
expect 1 --sut "$SUTS/issuance-mutant-no-advance" "$F"
grep -q '2025-07-17 missing \[CERT-2\] r1' "$WORK/out" || { echo "FAIL: the difference is not named"; fail=1; }
expect 3 --timeout 0.3 --sut 'read -r x; sleep 30' "$F"
expect 3 --sut 'read -r x; echo garbage' "$F"
expect 2 "$F"                                             # no --sut
expect 2 --sut true                                       # no file
expect 2 --sut true --timeout 0 "$F"
expect 2 --sut true --timeout soon "$F"
expect 2 --sut true --from 2025-13-01 "$F"
expect 2 --sut true --from 2025-05-01 "$F"                # before the period
expect 2 --sut true --report yaml "$F"
expect 2 --sut true --policy no-such-policy "$F"
expect 2 --sut true tests/failing-scenarios/does-not-exist.yaml
"$M" conform >/dev/null 2>&1; [ $? = 2 ] || { echo "FAIL: conform without a suite"; fail=1; }
"$M" conform issuance --help | grep -q 'end_of_day' || { echo "FAIL: --help"; fail=1; }
# reports through --out
expect 1 --sut "$SUTS/issuance-mutant-no-advance" --report junit --out "$WORK/junit.xml" "$F"
xmllint --noout "$WORK/junit.xml" || { echo "FAIL: JUnit report not well-formed"; fail=1; }
grep -q 'failures="1"' "$WORK/junit.xml" || { echo "FAIL: JUnit has no failure"; fail=1; }
expect 0 --sut "$SUTS/issuance-ref" --report json --out "$WORK/report.json" "$F"
grep -q '"verdict": "match"' "$WORK/report.json" || { echo "FAIL: JSON report"; fail=1; }
# a SUT's bytes that are not UTF-8 reach the reason: the reports stay valid JSON and well-formed XML
expect 3 --report json --out "$WORK/bytes.json" --sut "read -r x; printf '\\377\\376\\001garbage\\n'" "$F"
python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$WORK/bytes.json" || { echo "FAIL: JSON report"; fail=1; }
expect 3 --report junit --out "$WORK/bytes.xml" --sut "read -r x; printf '\\377\\376\\001garbage\\n'" "$F"
xmllint --noout "$WORK/bytes.xml" || { echo "FAIL: JUnit report with a SUT's bytes"; fail=1; }
# the day lines a SUT reads
"$M" conform issuance --dump-days --from 2025-07-17 --to 2025-07-18 "$F" >"$WORK/days" || fail=1
[ "$(wc -l <"$WORK/days")" = 2 ] || { echo "FAIL: --dump-days gave $(wc -l <"$WORK/days") lines"; fail=1; }
# a SUT with a background child that hangs: the whole process group is killed
expect 3 --timeout 0.3 --sut "sleep 30 & echo \$! > $WORK/child; read -r x; wait" "$F"
child=$(cat "$WORK/child" 2>/dev/null)
if [ -n "$child" ] && [ -e "/proc/$child" ] && [ "$(awk '{print $3}' "/proc/$child/stat" 2>/dev/null)" != Z ]; then
  echo "FAIL: the SUT's child $child is still running"
  fail=1
fi
[ $fail = 0 ] && echo "conform.cli: all checks passed"
exit $fail
