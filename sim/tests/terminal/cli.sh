#!/usr/bin/env bash
# Integration test of `mynasim terminal` (sim/cli/cmd_terminal.c; docs/TERMINAL.md): usage errors, --once over
# a folder (an answer for the scenario's member, an error answer for junk, other names left alone), the date
# from the process clock under libfaketime (Japan time), --present's face results, the watch: the "watching" line, a request
# dropped by rename answered, SIGTERM ending it with status 0; and the loopback control endpoint.
# Usage: cli.sh MYNASIM SOURCE_DIR
set -euo pipefail
mynasim=$1
src=$2
export MYNASIM_DATA_DIR=$src/fixtures
work=$(mktemp -d)
# A library scenario whose r-card has been a member since 2020 (insured_since, format 2), so the days asked
# below, before the scenario's period, find the membership (QualificationDate is when it began).
scn=$work/clinic-reader-down-and-system-outage.yaml
sed -e 's/^format: 1$/format: 2/' -e 's/^    born: 1986-02-02$/&\n    insured_since: 2020-04-01/' \
  "$src/scenarios/clinic-reader-down-and-system-outage.yaml" >"$scn"
grep -q '^    insured_since: 2020-04-01$' "$scn" || { echo "cli.sh: could not give r-card insured_since"; exit 1; }
# shellcheck source=sim/tests/eligibility/server.sh
source "$(dirname "$0")/../eligibility/server.sh"
cleanup() {
  server_cleanup
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "cli.sh: FAIL: $*" >&2; [ -f "$work/err" ] && cat "$work/err" >&2; exit 1; }
folders() { rm -rf "$work/x"; mkdir -p "$work/x/req" "$work/x/res"; }

# request ID DAY: the sample adjusted to r-card of the scenario (kyokai-saitama 01110014, symbol 100, number
# 1007, branch 00, born 1986-02-02), asked on DAY (YYYYMMDD), dropped into req/ by a rename.
request() {
  sed -e 's|<InsurerNumber>[^<]*<|<InsurerNumber>01110014<|' \
    -e 's|<InsuredCardSymbol>[^<]*<|<InsuredCardSymbol>100<|' \
    -e 's|<InsuredIdentificationNumber>[^<]*<|<InsuredIdentificationNumber>1007<|' \
    -e 's|<InsuredBranchNumber>[^<]*<|<InsuredBranchNumber>00<|' \
    -e 's|<Birthdate>[^<]*<|<Birthdate>19860202<|' \
    -e "s|<QualificationConfirmationDate>[^<]*<|<QualificationConfirmationDate>$2<|" \
    "$src/fixtures/messages/OQSsiquc01req_20250115093000001.xml" >"$work/x/req/.$1.part"
  mv "$work/x/req/.$1.part" "$work/x/req/OQSsiquc01req_$1.xml"
}
validity() { sed -n 's|.*<QualificationValidity>\([0-9]\)</QualificationValidity>.*|\1|p' "$work/x/res/OQSsiquc01res_$1.xml"; }

# Usage errors: exit 2 and a line that says what.
folders
st=0; "$mynasim" terminal "$scn" 2>"$work/err" || st=$?
[ $st -eq 2 ] && grep -q -- "--folders DIR is needed" "$work/err" || fail "no --folders: status $st"
st=0; "$mynasim" terminal --folders "$work/x" --encoding latin1 "$scn" 2>"$work/err" || st=$?
[ $st -eq 2 ] && grep -q "expected utf-8 or shift_jis" "$work/err" || fail "bad encoding: status $st"
st=0; "$mynasim" terminal --folders "$work/x/req" --once "$scn" 2>"$work/err" || st=$?
[ $st -eq 2 ] && grep -q "x/req/req: the exchange folder cannot be used" "$work/err" || fail "no req/: status $st"

# --once: answers what is there and exits; junk gets an error answer; other names stay.
request r1 20250801
printf 'junk' >"$work/x/req/OQSsiquc01req_junk.xml"
printf 'memo' >"$work/x/req/memo.txt"
"$mynasim" terminal --folders "$work/x" --date 2025-08-01 --once "$scn" 2>"$work/err" || fail "--once status"
[ "$(validity r1)" = 1 ] || fail "r1: validity $(validity r1)"
grep -q '<SegmentOfResult>9</SegmentOfResult>' "$work/x/res/OQSsiquc01res_junk.xml" || fail "junk: no error answer"
[ "$(ls -A "$work/x/req")" = memo.txt ] || fail "req/ left: $(ls -A "$work/x/req")"
grep -q "ignored req/memo.txt" "$work/err" || fail "memo.txt not logged"
grep -q "out     res/OQSsiquc01res_r1.xml" "$work/err" || fail "the answer not logged"

# --encoding shift_jis: the answer declares it.
folders
request s1 20250801
"$mynasim" terminal --folders "$work/x" --date 2025-08-01 --encoding shift_jis --once "$scn" 2>"$work/err" ||
  fail "shift_jis status"
grep -q 'encoding="Shift_JIS"' "$work/x/res/OQSsiquc01res_s1.xml" || fail "shift_jis: declaration"
grep -q '<CharacterCodeIdentifier>1<' "$work/x/res/OQSsiquc01res_s1.xml" || fail "shift_jis: identifier"

# Without --date the terminal's day is the process clock's in Japan time: 2025-07-31 16:00 UTC is
# 2025-08-01 01:00 in Japan (qualified), 1985 is before the membership began.
lib=/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1
asan=
syms=$(nm -D "$mynasim" 2>/dev/null || true)
libs=$(ldd "$mynasim" 2>/dev/null || true)
if [[ "$syms" == *__asan_init* || "$libs" == *libasan* ]]; then asan=1; fi
if [ -e "$lib" ]; then
  for c in '@2025-07-31 16:00:00 20250801 1' '@1985-06-01 03:00:00 19850601 4'; do
    read -r when hour day want <<<"$c"
    folders
    request f "$day"
    env LD_PRELOAD="$lib" FAKETIME="$when $hour" FAKETIME_DONT_FAKE_MONOTONIC=1 TZ=UTC \
      ${asan:+ASAN_OPTIONS=verify_asan_link_order=0${ASAN_OPTIONS:+:$ASAN_OPTIONS}} \
      "$mynasim" terminal --folders "$work/x" --once "$scn" 2>"$work/err" || fail "faketime $when: status"
    [ "$(validity f)" = "$want" ] || fail "faketime $when: validity $(validity f), want $want"
    # A face result's name carries the Japan time of the fake clock.
    mkdir "$work/x/face"
    env LD_PRELOAD="$lib" FAKETIME="$when $hour" FAKETIME_DONT_FAKE_MONOTONIC=1 TZ=UTC \
      ${asan:+ASAN_OPTIONS=verify_asan_link_order=0${ASAN_OPTIONS:+:$ASAN_OPTIONS}} \
      "$mynasim" terminal --folders "$work/x" --present r-card --institution 1312345678 "$scn" \
      >"$work/face" 2>"$work/err" || fail "faketime $when: --present status"
    jst=$(printf '%02d' $(( (10#${hour%%:*} + 9) % 24 )))
    grep -Eq "^OQSsiquc01res_face_1_${day}${jst}[0-9]{4}\.xml\$" "$work/face" || fail "faketime $when: face name $(cat "$work/face")"
  done
else
  echo "cli.sh: libfaketime not installed ($lib): the clock part skipped"
fi

# --present: the reader flow against r-card's virtual card writes a face result into DIR/face; two never share
# a name; --institution is required; a resident the scenario lacks is a usage error.
folders
st=0; "$mynasim" terminal --folders "$work/x" --present r-card "$scn" 2>"$work/err" || st=$?
[ $st -eq 2 ] && grep -q "need --institution" "$work/err" || fail "--present without --institution: status $st"
st=0; "$mynasim" terminal --folders "$work/x" --present r-card --institution 1312345678 "$scn" 2>"$work/err" || st=$?
[ $st -eq 1 ] && grep -q "x/face: the exchange folder cannot be used" "$work/err" || fail "no face/: status $st"
mkdir "$work/x/face"
st=0; "$mynasim" terminal --folders "$work/x" --present nobody --institution 1312345678 "$scn" 2>"$work/err" || st=$?
[ $st -eq 2 ] && grep -q "nobody: no resident" "$work/err" || fail "unknown resident: status $st"
for i in 1 2; do
  "$mynasim" terminal --folders "$work/x" --date 2025-08-01 --present r-card --institution 1312345678 "$scn" \
    >"$work/face$i" 2>"$work/err" || fail "--present $i: status"
  grep -Eq '^OQSsiquc01res_face_[0-9]+_20250801[0-9]{6}\.xml$' "$work/face$i" || fail "face name: $(cat "$work/face$i")"
  grep -q '<QualificationValidity>1</QualificationValidity>' "$work/x/face/$(cat "$work/face$i")" || fail "face $i"
done
[ "$(cat "$work/face1")" != "$(cat "$work/face2")" ] || fail "two face results share a name"
[ "$(find "$work/x/face" -type f | wc -l)" -eq 2 ] || fail "face/: $(ls -A "$work/x/face")"

# The watch: ready line, a request answered, SIGTERM ends it with status 0.
folders
server_start "$work/out" "$work/err" "$mynasim" terminal --folders "$work/x" --date 2025-08-01 "$scn"
server_wait 60 "watching line" grep -q "^watching $work/x/req\$" "$work/out"
request w1 20250801
server_wait 60 "answer to w1" test -e "$work/x/res/OQSsiquc01res_w1.xml"
[ "$(validity w1)" = 1 ] || fail "w1: validity $(validity w1)"
server_stop
[ "$server_status" -eq 0 ] || fail "SIGTERM: status $server_status"
grep -q "mynasim terminal: stopped" "$work/err" || fail "no stopped line"

# The control endpoint while watching: /control/present writes a face result, /control/time moves the day (in
# 1990 r-card holds no card: the reader flow answers no_card, MYNE1001), bad bodies are 400, GET is 405.
folders
mkdir "$work/x/face"
server_start "$work/out" "$work/err" "$mynasim" terminal --folders "$work/x" --date 2025-08-01 \
  --control 127.0.0.1:0 --institution 1312345678 "$scn"
server_wait 60 "watching line (--control)" grep -q "^watching " "$work/out"
port=$(sed -n 's|^control on http://127.0.0.1:\([0-9][0-9]*\)$|\1|p' "$work/out")
[ -n "$port" ] || fail "no control line: $(cat "$work/out")"
ctl() { # ctl PATH BODY -> status; body in $work/body
  curl -s -m 10 -o "$work/body" -w '%{http_code}' -X POST --data-binary "$2" "http://127.0.0.1:$port$1"
}
[ "$(ctl /control/present '{"resident":"r-card"}')" = 200 ] || fail "present: $(cat "$work/body")"
f1=$(sed -n 's|.*"file":"\([^"]*\)".*|\1|p' "$work/body")
[[ "$f1" =~ ^OQSsiquc01res_face_1_20250801[0-9]{6}\.xml$ ]] || fail "present: file $f1"
grep -q '<QualificationValidity>1<' "$work/x/face/$f1" || fail "present: not qualified"
[ "$(ctl /control/time '{"date":"1990-01-01"}')" = 200 ] || fail "time: $(cat "$work/body")"
[ "$(ctl /control/present '{"resident":"r-card"}')" = 200 ] || fail "present 1990: $(cat "$work/body")"
f2=$(sed -n 's|.*"file":"\([^"]*\)".*|\1|p' "$work/body")
[[ "$f2" =~ ^OQSsiquc01res_face_2_19900101[0-9]{6}\.xml$ ]] || fail "present 1990: file $f2"
grep -q '<ErrorCode>MYNE1001<' "$work/x/face/$f2" || fail "present 1990: not no_card"
[ "$(ctl /control/present '{"resident":"nobody"}')" = 404 ] || fail "unknown resident"
[ "$(ctl /control/present 'not json')" = 400 ] || fail "bad JSON"
[ "$(ctl /control/time '{"date":"2025-02-30"}')" = 400 ] || fail "bad date"
[ "$(ctl /control/time '{"date":null}')" = 200 ] && grep -q '"clock":true' "$work/body" || fail "clock"
[ "$(curl -s -m 10 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/control/time")" = 405 ] || fail "GET"
server_stop
[ "$server_status" -eq 0 ] || fail "--control SIGTERM: status $server_status"
echo "cli.sh: ok"
