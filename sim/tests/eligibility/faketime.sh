#!/usr/bin/env bash
# Integration test: without --date, `mynasim serve` answers for the process clock's day in Japan time (UTC+9 of
# time()), so libfaketime moves it. The service runs twice under libfaketime on the same scenario and answers
# the same number request (the sample, adjusted to r-card's numbers): on 2026-01-21 the qualification held
# since the period's first day, 2025-12-02 (QualificationValidity 1), on 1985-06-01 none (4). A fake clock of 23:30 UTC
# is already the next day in Japan, which shows the date is Japan's, not UTC's.
# Usage: faketime.sh MYNASIM SOURCE_DIR
set -euo pipefail
mynasim=$1
src=$2
export MYNASIM_DATA_DIR=$src/fixtures
lib=/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1
if [ ! -e "$lib" ]; then
  echo "faketime.sh: libfaketime not installed ($lib): skipped"
  exit 77
fi
work=$(mktemp -d)
pid=
stop() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill -TERM "$pid"; wait "$pid" || true; fi
  pid=
}
cleanup() { stop; rm -rf "$work"; }
trap cleanup EXIT
fail() { echo "faketime.sh: FAIL: $*" >&2; [ -f "$work/err" ] && cat "$work/err" >&2; exit 1; }
deadline() { echo $(( $(date +%s) + $1 )); }

# r-card of the scenario: kyokai-saitama 01110014, symbol 100, number 1007, branch 00, born 1986-02-02.
sed -e 's|<InsurerNumber>[^<]*<|<InsurerNumber>01110014<|' \
  -e 's|<InsuredCardSymbol>[^<]*<|<InsuredCardSymbol>100<|' \
  -e 's|<InsuredIdentificationNumber>[^<]*<|<InsuredIdentificationNumber>1007<|' \
  -e 's|<InsuredBranchNumber>[^<]*<|<InsuredBranchNumber>00<|' \
  -e 's|<Birthdate>[^<]*<|<Birthdate>19860202<|' \
  -e 's|<QualificationConfirmationDate>[^<]*<|<QualificationConfirmationDate>20260121<|' \
  "$src/fixtures/messages/OQSsiquc01req_20250115093000001.xml" >"$work/req.xml"

# Read whole, not piped into grep -q: with pipefail, grep -q leaving early makes nm die of SIGPIPE and the
# test then missed an ASan build now and then.
asan=
syms=$(nm -D "$mynasim" 2>/dev/null || true)
libs=$(ldd "$mynasim" 2>/dev/null || true)
if [[ "$syms" == *__asan_init* || "$libs" == *libasan* ]]; then
  asan=1
fi

# serve FAKETIME: starts the service under libfaketime (no --date, no --control), waits for /health.
serve() {
  : >"$work/out"
  env LD_PRELOAD="$lib" FAKETIME="$1" FAKETIME_DONT_FAKE_MONOTONIC=1 TZ=UTC \
    ${asan:+ASAN_OPTIONS=verify_asan_link_order=0${ASAN_OPTIONS:+:$ASAN_OPTIONS}} \
    "$mynasim" serve --listen 127.0.0.1:0 "$src/scenarios/clinic-reader-down-and-system-outage.yaml" \
    >"$work/out" 2>"$work/err" &
  pid=$!
  local end port=
  end=$(deadline 60)
  while [ -z "$port" ]; do
    kill -0 "$pid" 2>/dev/null || fail "server exited before listening (FAKETIME=$1)"
    [ "$(date +%s)" -lt "$end" ] || fail "no listening line within 60 s"
    port=$(sed -n 's|^listening on http://127.0.0.1:\([0-9][0-9]*\)$|\1|p' "$work/out")
    [ -n "$port" ] || sleep 0.05
  done
  base=http://127.0.0.1:$port
  end=$(deadline 30)
  until [ "$(curl -s -m 2 "$base/health" || true)" = ok ]; do
    [ "$(date +%s)" -lt "$end" ] || fail "/health not ready within 30 s"
    sleep 0.05
  done
}
ask() { # ask WHAT: the number request; body in $work/body
  local code
  code=$(curl -s -m 10 -o "$work/body" -w '%{http_code}' -X POST --data-binary "@$work/req.xml" \
    "$base/eligibility")
  [ "$code" = 200 ] || fail "$1: status $code"
}
expect() { # expect PATTERN WHAT
  grep -q "$1" "$work/body" || { cat "$work/body" >&2; fail "$2: body lacks $1"; }
}

# Date A: 2026-01-21 in Japan (01:00 JST), the qualification is there: it began on the period's first day
# (r-card has no insured_since and no paper card), never on the birth date.
serve '@2026-01-20 16:00:00'
ask "date A"
expect '<ProcessExecutionTime>20260121' "date A is 2026-01-21 in Japan (16:00 UTC the day before)"
expect '<SegmentOfResult>1</SegmentOfResult>' "date A"
expect '<QualificationValidity>1</QualificationValidity>' "date A: qualified"
expect '<QualificationDate>20251202</QualificationDate>' "date A: the qualification"
stop

# Date B: 1985-06-01, before r-card's qualification began: none. The service answers the request's day, so
# the request asks for 1985-06-01 (asked for 2026-01-21, a day after the service's, it is refused: MYNE4001).
serve '@1985-06-01 10:00:00'
ask "date B, asking a day after the service's"
expect '<ErrorCode>MYNE4001</ErrorCode>' "date B: the request's 2026-01-21 is after the service's day"
expect '<QualificationConfirmationDate>20260121</QualificationConfirmationDate>' "date B: the header echoed"
sed -i -e 's|<QualificationConfirmationDate>[^<]*<|<QualificationConfirmationDate>19850601<|' "$work/req.xml"
ask "date B"
expect '<ProcessExecutionTime>19850601' "date B"
expect '<QualificationValidity>4</QualificationValidity>' "date B: no qualification"
grep -q '<QualificationDate>' "$work/body" && fail "date B: a qualification answered"
stop
echo "faketime.sh: ok"
