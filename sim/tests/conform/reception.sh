#!/usr/bin/env bash
# conform.reception: `mynasim conform reception` in folder mode end to end through the command: the reference
# program passes a few cases (exit 0); a wrong decision names its case and rule (exit 1); usage and input errors
# (exit 2); a SUT that hangs, writes garbage, exits or leaves a child behind fails with a reason (exit 3) and
# nothing of it is left running; the reports (JSON, JUnit) are well-formed.
#   reception.sh MYNASIM SUT_DIR SOURCE_DIR WORK_DIR
set -uo pipefail
M=$1 SUTS=$2 SRC=$3 WORK=$4
rm -rf "$WORK" && mkdir -p "$WORK"
cd "$SRC" || exit 1
fail=0
N=scenarios/nhi-card-lost-in-september-certificate-on-application.yaml:33                  # notice: lookup
A=scenarios/nhi-card-lost-in-september-certificate-on-application-as-announced-2024.yaml:28 # notice: self_pay
C=scenarios/copay-rates-by-age-and-income.yaml:54                                           # card: 10 %
fresh() { rm -rf "$WORK/d" "$WORK/out" && mkdir -p "$WORK/d/req" "$WORK/d/res" "$WORK/d/face" "$WORK/d/paper" "$WORK/out"; }
# expect STATUS ARGS...: runs mynasim conform reception with fresh folders and ARGS, checks the exit status
expect() {
  local want=$1
  shift
  fresh
  "$M" conform reception --folders "$WORK/d" --decisions "$WORK/out" "$@" >"$WORK/stdout" 2>"$WORK/stderr"
  local got=$?
  if [ "$got" != "$want" ]; then
    echo "FAIL: conform reception $*: exit $got, wanted $want"
    sed 's/^/  | /' "$WORK/stdout" "$WORK/stderr"
    fail=1
  fi
}
has() { grep -q -- "$1" "$WORK/stdout" || { echo "FAIL: '$1' not in the report"; sed 's/^/  | /' "$WORK/stdout"; fail=1; }; }
REF="$SUTS/reception-ref"
expect 0 --sut "$REF" "$N" "$A" "$C"
has '3 of 3 cases pass'
# the private folder is gone, nothing left to answer
[ -e "$WORK/d/.mynasim-terminal" ] && { echo "FAIL: the private folder is left"; fail=1; }
# a wrong decision: the case, the rule and the reason in the user's terms
expect 1 --sut "$SUTS/reception-mutant-notice-any-policy" "$A"
has 'FAIL  v0001 scenarios/nhi-card-lost-in-september-certificate-on-application-as-announced-2024.yaml:28'
has '\[NOTICE-2\] the SUT decided insured; on 2025-09-11 the desk.s rules give self_pay'
expect 1 --sut "$SUTS/reception-mutant-utc-date" "$N"
has '\[RCP-REQUEST\] request OQSsiquc01req_v0001-1.xml asks for 2025-09-10; the visit is on 2025-09-11'
# reports
expect 1 --sut "$SUTS/reception-mutant-flat-copay" --report junit --out "$WORK/junit.xml" "$C" "$N"
xmllint --noout "$WORK/junit.xml" || { echo "FAIL: JUnit report not well-formed"; fail=1; }
grep -q 'tests="2" failures="1" errors="0"' "$WORK/junit.xml" || { echo "FAIL: JUnit counts"; fail=1; }
expect 0 --sut "$REF" --report json --out "$WORK/report.json" "$N"
/usr/bin/python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); assert r["suite"]=="reception" and r["cases"][0]["verdict"]=="pass" and r["cases"][0]["requests"]==1, r' "$WORK/report.json" || { echo "FAIL: JSON report"; fail=1; }
# the SUT fails: hangs, garbage (its bytes stay valid JSON in the report), exits
expect 3 --timeout 0.3 --sut 'sleep 30' "$N"
has '\[RCP-TIME\] no decision .*v0001.json within 300 ms'
expect 3 --timeout 2 --sut 'while :; do for f in "$MYNASIM_FOLDERS"/paper/*.json; do [ -e "$f" ] || continue; v=$(basename "$f" .json); rm -f "$f"; printf "\377{garbage" > "$MYNASIM_DECISIONS/$v.json"; done; sleep 0.01; done' --report json --out "$WORK/bytes.json" "$N"
/usr/bin/python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); c=r["cases"][0]; assert c["rule"]=="RCP-FORMAT" and "not a JSON object" in c["why"], c' "$WORK/bytes.json" || { echo "FAIL: garbage"; fail=1; }
expect 3 --sut 'exit 4' "$N" "$A"
has 'the SUT exited with status 4 before deciding v0001'
has 'the SUT exited with status 4 before deciding v0002'
# a SUT that removes the exchange folders: its cases fail saying so, mynasim goes on and ends
expect 3 --timeout 5 --sut 'rm -rf "$MYNASIM_FOLDERS/req"; exec sleep 30' "$N" "$A"
has '\[RCP-FOLDER\] .*/d/req: cannot list the requests'
expect 3 --timeout 5 --sut 'rm -rf "$MYNASIM_FOLDERS/paper"; exec sleep 30' "$N" "$A"
has '\[RCP-FOLDER\] the patient cannot be brought'
# a SUT whose background child hangs: the whole process group is killed
expect 3 --timeout 0.3 --sut "sleep 30 & echo \$! > $WORK/child; wait" "$N"
child=$(cat "$WORK/child" 2>/dev/null)
if [ -n "$child" ] && [ -e "/proc/$child" ] && [ "$(awk '{print $3}' "/proc/$child/stat" 2>/dev/null)" != Z ]; then
  echo "FAIL: the SUT's child $child is still running"
  fail=1
fi
# usage and input
expect 2 --sut "$REF"                                         # no case
expect 2 --sut "$REF" scenarios/copay-rates-by-age-and-income.yaml:1   # not a visit expectation
has_err() { grep -q -- "$1" "$WORK/stderr" || { echo "FAIL: '$1' not on stderr"; sed 's/^/  | /' "$WORK/stderr"; fail=1; }; }
has_err 'copay-rates-by-age-and-income.yaml:1.*not the line of a visit expectation'
expect 2 --sut "$REF" --timeout 0 "$N"
expect 2 --sut "$REF" --report yaml "$N"
expect 2 --sut "$REF" --policy no-such-policy "$N"
expect 2 --sut "$REF" tests/failing-scenarios/does-not-exist.yaml
expect 2 --sut "$REF" --suite "$WORK/no-such-suite.txt"
fresh; rmdir "$WORK/d/face"
"$M" conform reception --folders "$WORK/d" --decisions "$WORK/out" --sut "$REF" "$N" >/dev/null 2>"$WORK/stderr"
[ $? = 2 ] && grep -q 'face: not a folder' "$WORK/stderr" || { echo "FAIL: a missing DIR/face"; fail=1; }
"$M" conform reception --folders "$WORK/d" >/dev/null 2>&1; [ $? = 2 ] || { echo "FAIL: no --decisions"; fail=1; }
"$M" conform reception --help | grep -q 'DIR2/<visit>.json' || { echo "FAIL: --help"; fail=1; }
# a whole file: every visit expectation of it
expect 0 --sut "$REF" scenarios/nhi-certificate-lost-expired-paper-card-lookup.yaml
has '1 of 1 cases pass'
# the files say what the schemas say: every visit file of the suite (left in DIR/paper when no SUT takes them)
# against reception-visit.schema.json, every decision of the reference against reception-decision.schema.json
expect 3 --timeout 0.05 --suite scenarios/conformance/reception-suite.txt
cp -r "$WORK/d/paper" "$WORK/visits"
expect 0 --sut "$REF" --suite scenarios/conformance/reception-suite.txt
/usr/bin/python3 - "$WORK/visits" "$WORK/out" <<'PYEOF' || { echo "FAIL: the files do not validate"; fail=1; }
import glob, json, sys
import jsonschema
def validator(name):
    schema = json.load(open("docs/schemas/" + name, encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)
for folder, v, want in ((sys.argv[1], validator("reception-visit.schema.json"), 16),
                        (sys.argv[2], validator("reception-decision.schema.json"), 16)):
    files = sorted(glob.glob(folder + "/*.json"))
    assert len(files) == want, (folder, len(files))
    for f in files:
        err = next(v.iter_errors(json.load(open(f, encoding="utf-8"))), None)
        assert err is None, (f, err.message, list(err.absolute_path))
print("conform.reception: %d visit files and %d decisions validate" % (want, want))
PYEOF
[ $fail = 0 ] && echo "conform.reception: all checks passed"
exit $fail
