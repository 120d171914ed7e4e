#!/usr/bin/env bash
# Integration test of `mynasim terminal`'s sessions (sim/cli/cmd_terminal.c; docs/TERMINAL.md, "Control" and
# "A scenario's visits"): --visits writes each visit's face result at the visit's time of day (00:05, 23:55,
# 08:59 and 09:00 JST, the last two either side of midnight UTC) on the visit's Japan day, when /control/time
# reaches it and never twice; /control/present runs the documented body (documents brought, faults, the PIN
# typed, the visit's id); every bad body is 400 naming its field. The time is always set by the test.
# Usage: session.sh MYNASIM SOURCE_DIR
set -euo pipefail
mynasim=$1
src=$2
export MYNASIM_DATA_DIR=$src/fixtures
scn=$src/sim/tests/terminal/data/visits.yaml
work=$(mktemp -d)
# shellcheck source=sim/tests/eligibility/server.sh
source "$(dirname "$0")/../eligibility/server.sh"
cleanup() {
  server_cleanup
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "session.sh: FAIL: $*" >&2; [ -f "$work/err" ] && cat "$work/err" >&2; exit 1; }
mkdir -p "$work/x/req" "$work/x/res" "$work/x/face"

# --visits needs the code of a clinic of the scenario; a wrong one lists them (exit 2).
st=0; "$mynasim" terminal --folders "$work/x" --visits --institution 0000000000 "$scn" 2>"$work/err" || st=$?
[ $st -eq 2 ] || fail "--visits with no such clinic: status $st"
code=$(sed -n 's|^  clinic-a --institution \([0-9]\{10\}\)$|\1|p' "$work/err")
[ -n "$code" ] || fail "no code listed for clinic-a"
st=0; "$mynasim" terminal --folders "$work/x" --visits --once --institution "$code" "$scn" 2>"$work/err" || st=$?
[ $st -eq 2 ] || fail "--visits --once: status $st"

server_start "$work/out" "$work/err" "$mynasim" terminal --folders "$work/x" --date 2025-08-01 --visits \
  --control 127.0.0.1:0 --institution "$code" "$scn"
server_wait 60 "watching line" grep -q "^watching " "$work/out"
port=$(sed -n 's|^control on http://127.0.0.1:\([0-9][0-9]*\)$|\1|p' "$work/out")
[ -n "$port" ] || fail "no control line"
ctl() { # ctl PATH BODY -> status; body in $work/body
  curl -s -m 30 -o "$work/body" -w '%{http_code}' -X POST --data-binary "$2" "http://127.0.0.1:$port$1"
}
# expect_visits TIME JSON-ARRAY: /control/time to TIME writes exactly those visits' face results
expect_visits() {
  [ "$(ctl /control/time "{\"date\":\"$1\"}")" = 200 ] || fail "time $1: $(cat "$work/body")"
  grep -qF "\"visits\":$2" "$work/body" || fail "time $1: $(cat "$work/body"), expected visits $2"
}
# face FILE DAY: the result is qualified, asked and made on the Japan day DAY at the time its name says
face() {
  local f=$work/x/face/$1 t=${1##*_}
  t=${t%.xml}
  grep -q '<QualificationValidity>1<' "$f" || fail "$1: not qualified"
  grep -q "<QualificationConfirmationDate>$2<" "$f" || fail "$1: not asked on $2"
  grep -q "<ProcessExecutionTime>$t<" "$f" || fail "$1: not made at $t"
}
expect_visits 2025-08-05T00:04 '[]'
expect_visits 2025-08-05T00:05 '["OQSsiquc01res_face_L12_20250805000500.xml"]'
face OQSsiquc01res_face_L12_20250805000500.xml 20250805
# clinic-b's visit at 12:00 is another clinic's: never written by this terminal
expect_visits 2025-08-05T23:55:30 '["OQSsiquc01res_face_L11_20250805235500.xml"]'
face OQSsiquc01res_face_L11_20250805235500.xml 20250805
# 08:59 JST on 6 August is 23:59 UTC on 5 August: the Japan day counts
expect_visits 2025-08-06T08:59 '["OQSsiquc01res_face_L14_20250806085900.xml"]'
face OQSsiquc01res_face_L14_20250806085900.xml 20250806
expect_visits 2025-08-06T09:00 '["OQSsiquc01res_face_L15_20250806090000.xml"]'
face OQSsiquc01res_face_L15_20250806090000.xml 20250806
# back to the 5th and on again: nothing is written twice
expect_visits 2025-08-05T00:00 '[]'
expect_visits 2025-08-06T09:30 '[]'
# the 7th's visit brings nothing: the card never touches the reader (logged); the 8th's has no time: 10:00
expect_visits 2025-08-08T12:00 '["OQSsiquc01res_face_L17_20250808100000.xml"]'
grep -q "visits.yaml:16: the card was not put on the reader (self_pay)" "$work/err" || fail "the 7th not logged"
[ "$(ls "$work/x/face" | wc -l)" = 5 ] || fail "face/: $(ls "$work/x/face")"

# /control/present with the documented body, at the terminal's time (2025-08-08 12:00 JST, ticking).
[ "$(ctl /control/present '{"resident":"r1","bring":["card"],"pin":"face","visit":"v-1"}')" = 200 ] ||
  fail "present face: $(cat "$work/body")"
grep -q '"file":"OQSsiquc01res_face_v-1_20250808120[0-9]*.xml","card_check":"ok","outcome":"insured","route":"card"' \
  "$work/body" || fail "present face: $(cat "$work/body")"
[ "$(ctl /control/present '{"resident":"r1","pin":"face","visit":"v-1"}')" = 409 ] || fail "visit twice"
# a wrong PIN: the card answers it, the holder cannot authenticate (pin_locked), the face result says so
[ "$(ctl /control/present '{"resident":"r1","pin":"0000","kind":"revisit"}')" = 200 ] || fail "wrong PIN"
grep -q '"card_check":"pin_locked"' "$work/body" || fail "wrong PIN: $(cat "$work/body")"
f=$(sed -n 's|.*"file":"\([^"]*\)".*|\1|p' "$work/body")
grep -q '<ErrorCode>MYNE2005<' "$work/x/face/$f" || fail "wrong PIN: $f"
# documents without the card: no session at the reader, the desk's outcome only
[ "$(ctl /control/present '{"resident":"r1","bring":["paper_card"]}')" = 200 ] || fail "no card"
grep -q '"file":null,"card_check":"no_card"' "$work/body" || fail "no card: $(cat "$work/body")"
# a fault of the scenario's vocabulary is produced for real
[ "$(ctl /control/present '{"resident":"r1","faults":["borrowed_certificate"]}')" = 200 ] || fail "fault"
grep -q '"card_check":"cert_revoked"' "$work/body" || fail "borrowed: $(cat "$work/body")"

# Bad bodies: 400 with a reason naming the field.
bad() { [ "$(ctl "$1" "$2")" = 400 ] && grep -q "$3" "$work/body" || fail "$2: $(cat "$work/body")"; }
bad /control/present '{"bring":["card"]}' "field 'resident': missing"
bad /control/present '{"resident":"r1","bring":["portal"]}' "field 'bring'"
bad /control/present '{"resident":"r1","bring":["card","card"]}' "field 'bring': 'card' is listed twice"
bad /control/present '{"resident":"r1","faults":["gremlins"]}' "field 'faults'"
bad /control/present '{"resident":"r1","pin":1234}' "field 'pin'"
bad /control/present '{"resident":"r1","pin":"12"}' "field 'pin'"
bad /control/present '{"resident":"r1","visit":"a_b"}' "field 'visit'"
bad /control/present '{"resident":"r1","kind":"second"}' "field 'kind'"
bad /control/present '{"resident":"r1","who":"r1"}' "field 'who'"
bad /control/present '[1]' "not a JSON object"
bad /control/time '{"date":"2025-08-05T24:00"}' "field 'date'"
bad /control/time '{"date":"2025-08-05 10:00"}' "field 'date'"
bad /control/time '{"date":20250805}' "field 'date'"
bad /control/time '{"date":"2025-08-05","time":"10:00"}' "field 'date'"
[ "$(ctl /control/present '{"resident":"nobody"}')" = 404 ] || fail "no such resident"
server_stop
[ "$server_status" -eq 0 ] || fail "SIGTERM: status $server_status"
echo "session.sh: ok"
