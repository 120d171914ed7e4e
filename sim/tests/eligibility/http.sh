#!/usr/bin/env bash
# Integration test of `mynasim serve` (sim/eligibility/http.c) on loopback: readiness, sample requests,
# control of the date, malformed / oversized / slow / truncated requests (an error response or a closed
# connection, and the service keeps answering), a bounded wrk load with no error responses, SIGTERM.
# Usage: http.sh MYNASIM SOURCE_DIR
set -euo pipefail
mynasim=$1
src=$2
export MYNASIM_DATA_DIR=$src/fixtures
work=$(mktemp -d)
# shellcheck source=sim/tests/eligibility/server.sh
source "$(dirname "$0")/server.sh"
cleanup() {
  server_cleanup
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "http.sh: FAIL: $*" >&2; [ -f "$work/err" ] && cat "$work/err" >&2; exit 1; }

# Port 0: the server picks a free port and prints it once ready to accept.
server_start "$work/out" "$work/err" "$mynasim" serve --listen 127.0.0.1:0 --control --date 2025-06-02 --timeout 2 \
  "$src/scenarios/clinic-reader-down-and-system-outage.yaml"
server_wait 60 "listening line" grep -q '^listening on http://127.0.0.1:[0-9][0-9]*$' "$work/out"
port=$(sed -n 's|^listening on http://127.0.0.1:\([0-9][0-9]*\)$|\1|p' "$work/out")
base=http://127.0.0.1:$port
health_ok() { [ "$(curl -s -m 2 "$base/health" || true)" = ok ]; }
server_wait 30 "/health ready" health_ok
echo "ready on $port"

post() { # post PATH FILE -> body in $work/body, status echoed
  curl -s -m 10 -o "$work/body" -w '%{http_code}' -X POST --data-binary "@$2" "$base$1"
}
healthy() { [ "$(curl -s -m 5 "$base/health")" = ok ] || fail "service stopped answering after $1"; }
expect() { # expect STATUS GREP what
  grep -q "$2" "$work/body" || { cat "$work/body" >&2; fail "$3: body lacks $2"; }
}

# Sample requests: a number request answers normally; the card samples' nonces were never issued.
msgs=$src/fixtures/messages
[ "$(post /eligibility "$msgs/OQSsiquc01req_20250115093000001.xml")" = 200 ] || fail "number request status"
expect 200 '<SegmentOfResult>1</SegmentOfResult>' "number request"
[ "$(post /eligibility "$msgs/OQSsiquc01req_card_pin_20250115093000003.xml")" = 200 ] || fail "card status"
expect 200 '<ErrorCode>MYNE2003</ErrorCode>' "card request with a nonce never issued"
[ "$(post /eligibility "$msgs/OQSsiquc01req_card_face_20250115093000005.xml")" = 200 ] || fail "face status"
grep -qa 'MYNE2003' "$work/body" || fail "face sample (Shift_JIS) not refused"
nonce=$(curl -s -m 5 -X POST "$base/nonce")
[ ${#nonce} -eq 44 ] || fail "nonce: $nonce"

# Control: the date moves what the process time says; a bad date is refused; outage and back.
printf '2025-07-01' >"$work/d"
[ "$(post /control/date "$work/d")" = 200 ] || fail "control date"
post /eligibility "$msgs/OQSsiquc01req_20250115093000001.xml" >/dev/null
expect 200 '<ProcessExecutionTime>20250701000000</ProcessExecutionTime>' "date after control"
printf '2025-02-30' >"$work/d"
[ "$(post /control/date "$work/d")" = 400 ] || fail "bad control date accepted"
printf '1' >"$work/d"
[ "$(post /control/down "$work/d")" = 200 ] || fail "control down"
post /eligibility "$msgs/OQSsiquc01req_20250115093000001.xml" >/dev/null
expect 200 'MYNE9001' "outage"
printf '0' >"$work/d"
post /control/down "$work/d" >/dev/null

# Malformed messages: an error response.
printf 'garbage' >"$work/g"
[ "$(post /eligibility "$work/g")" = 200 ] || fail "garbage status"
expect 200 '<SegmentOfResult>9</SegmentOfResult>' "garbage"
printf '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><XmlMsg>&a;</XmlMsg>' >"$work/g"
post /eligibility "$work/g" >/dev/null
expect 200 'MYNE3003' "DOCTYPE"
# Oversized: 413 with MYNE3001, the body dropped beyond the limit.
head -c 300000 /dev/zero | tr '\0' ' ' | sed 's/^ /</' >"$work/big"
[ "$(post /eligibility "$work/big")" = 413 ] || fail "oversized status"
expect 413 'MYNE3001' "oversized"
# Unknown routes and methods.
[ "$(curl -s -m 5 -o /dev/null -w '%{http_code}' "$base/nope")" = 404 ] || fail "404"
[ "$(curl -s -m 5 -o /dev/null -w '%{http_code}' "$base/eligibility")" = 405 ] || fail "405"
healthy "bad messages"

# Malformed HTTP: an error status or a closed connection.
exec 3<>/dev/tcp/127.0.0.1/"$port"
printf 'THIS IS NOT HTTP\r\n\r\n' >&3
reply=$(timeout 10 cat <&3 || true)
exec 3<&-
case "$reply" in "" | HTTP/1.1\ 4*) ;; *) fail "malformed HTTP answered: ${reply:0:80}" ;; esac
healthy "malformed HTTP"

# Truncated: Content-Length promises more than comes, then the client goes away.
exec 3<>/dev/tcp/127.0.0.1/"$port"
printf 'POST /eligibility HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n<XmlMsg>' >&3
exec 3<&-
healthy "truncated request"

# Slow: a client that sends half a request and stalls is cut off after the idle timeout (2 s), while
# others are served meanwhile.
exec 3<>/dev/tcp/127.0.0.1/"$port"
printf 'POST /eligibility HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n<Xml' >&3
healthy "a slow client connected"
start=$(date +%s)
timeout 15 cat <&3 >/dev/null || fail "slow connection not closed within 15 s"
exec 3<&-
[ $(( $(date +%s) - start )) -le 10 ] || fail "slow connection closed late"
healthy "slow client"

# Bounded load: wrk for 3 s on the number request; no error responses, no socket errors.
if command -v wrk >/dev/null; then
  cat >"$work/post.lua" <<LUA
wrk.method = "POST"
local f = io.open("$msgs/OQSsiquc01req_20250115093000001.xml", "rb")
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "application/xml"
LUA
  wrk -t 2 -c 16 -d 3s --latency -s "$work/post.lua" "$base/eligibility" >"$work/wrk" 2>&1 || fail "wrk failed"
  cat "$work/wrk"
  grep -q 'Non-2xx' "$work/wrk" && fail "wrk saw error responses"
  grep -q 'Socket errors' "$work/wrk" && fail "wrk saw socket errors"
  grep -q 'Requests/sec' "$work/wrk" || fail "wrk did not run"
else
  echo "wrk not installed: load test skipped (ci/install-deps installs it)"
fi
healthy "load"

# SIGTERM ends it, exit 0.
server_stop
[ "$server_status" -eq 0 ] || fail "server exit status $server_status after SIGTERM"
echo "http.sh: ok"
