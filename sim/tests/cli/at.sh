#!/usr/bin/env bash
# `mynasim at` (sim/cli/cmd_at.c, docs/TIME.md) as users meet it. Every date asserted is the faked one; waits poll
# the program's output under a guard (a bound on polls, never a timed assertion); programs started in the
# background are stopped by their PID (`at` execs the program, so $! is the program's own PID).
# Usage: at.sh MYNASIM SOURCE_DIR AT_PROBE AT_PROBE_STATIC AT_PROBE_ASAN|none CC
set -uo pipefail
M=$1
SRC=$2
PROBE=$3
PROBE_STATIC=$4
PROBE_ASAN=$5
CC=$6
export MYNASIM_DATA_DIR=${MYNASIM_DATA_DIR:-$SRC/fixtures}
# In an ASan build, mynasim itself is one of the programs `at` runs (at inside at, serve through at): libfaketime
# then comes first in its LD_PRELOAD, which ASan refuses unless told (docs/TIME.md). The caller's own options stay.
CALLER_ASAN_OPTIONS=${ASAN_OPTIONS:-}
export ASAN_OPTIONS="${CALLER_ASAN_OPTIONS:+$CALLER_ASAN_OPTIONS:}verify_asan_link_order=0"
if [ ! -e /usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1 ] && [ -z "${MYNASIM_LIBFAKETIME:-}" ] &&
    ! "$M" at 2025-08-01 -- true 2>/dev/null; then
    echo "at.sh: libfaketime not installed (Debian package libfaketime): skipped"
    exit 77
fi
T=$(mktemp -d /tmp/mynasim-cli-at.XXXXXX)
pids=()
cleanup() {
    for p in "${pids[@]}"; do
        if kill -0 "$p" 2>/dev/null; then
            kill -TERM "$p"
            wait "$p" 2>/dev/null
        fi
    done
    rm -rf "$T"
}
trap cleanup EXIT
failed=0
fail() {
    echo "at.sh: FAIL: $*" >&2
    failed=1
}
# A sanitizer build of mynasim is fine (libfaketime is loaded only into the program it execs), but then the probe
# is plain and needs nothing; a program built with ASan is the case shown below.

# out_is WANT ARGS...: mynasim ARGS prints exactly WANT on stdout and exits 0.
out_is() {
    local want=$1 got rc=0
    shift
    got=$("$@" 2>"$T/err") || rc=$?
    [ "$rc" = 0 ] || fail "$*: exit $rc: $(head -c 300 "$T/err")"
    [ "$got" = "$want" ] || fail "$*: printed '$got', not '$want'"
}
# wait_for FILE PATTERN WHAT: polls FILE until a line matches PATTERN (guard: 600 polls of 50 ms).
wait_for() {
    local i
    for ((i = 0; i < 600; i++)); do
        grep -q -- "$2" "$1" 2>/dev/null && return 0
        sleep 0.05
    done
    fail "$3: no line '$2' in $1: $(tail -c 300 "$1" 2>/dev/null)"
    return 1
}
# expect RC ARGS...: mynasim ARGS exits RC (stdout in $T/out, stderr in $T/err).
expect() {
    local want=$1 rc=0
    shift
    "$M" "$@" >"$T/out" 2>"$T/err" || rc=$?
    [ "$rc" = "$want" ] || fail "mynasim $* exited $rc, not $want: $(head -c 300 "$T/err")"
}
err_has() {
    grep -qF -- "$1" "$T/err" || fail "stderr lacks '$1': $(head -c 400 "$T/err")"
}

# ---- the Japan date whatever the caller's TZ: 00:30 JST is still the day before in UTC and in California ------
for tz in UTC America/Los_Angeles Asia/Tokyo; do
    out_is 2025-08-01 env TZ=$tz "$M" at 2025-08-01T00:30 -- date +%F
done
out_is 2025-08-01 env -u TZ "$M" at 2025-08-01T00:30 -- date +%F
out_is "2025-08-01 00:30:00" env -u TZ "$M" at 2025-08-01T00:30 -- "$PROBE" date
# the instant is right too, read in UTC by a program that sets TZ itself (date -u)
out_is 2025-07-31T15:30 env TZ=America/Los_Angeles "$M" at 2025-08-01T00:30 -- date -u +%FT%H:%M
out_is 1985-06-01 "$M" at 1985-06-01T10:00:59 -- date +%F

# ---- crossing midnight while it runs: every process of the tree shares the clock ---------------------------------
"$M" at 2025-12-31T23:59:58 -- sh -c 'while :; do date "+%F %T"; sleep 0.2; done' >"$T/midnight" 2>&1 &
pids+=($!)
wait_for "$T/midnight" '^2026-01-01 00:00:0' "from 23:59:58 JST across midnight"
first=$(head -1 "$T/midnight")
case $first in "2025-12-31 23:59:5"[89]) ;; *) fail "crossing midnight: began at '$first'" ;; esac
loop=${pids[-1]}
kill -TERM "$loop" && wait "$loop" 2>/dev/null
# the loop, killed, left libfaketime's shared objects (docs/TIME.md); the next `at` removes them
left=
[ -e /dev/shm/faketime_shm_"$loop" ] && left=1
out_is 2025-12-31 "$M" at 2025-12-31 -- date +%F
if [ -n "$left" ]; then
    ls /dev/shm/faketime_shm_"$loop" /dev/shm/sem.faketime_sem_"$loop" >/dev/null 2>&1 &&
        fail "at left the dead loop's faketime_shm_$loop or sem.faketime_sem_$loop in /dev/shm"
else
    echo "at.sh: libfaketime left nothing in /dev/shm for a killed program: the sweep is not shown"
fi

# ---- a clock file stepped by a runner: a long-running program follows each step ----------------------------------
C=$T/clock
expect 0 at --set-clock "$C" 2025-08-01T10:00
[ -s "$T/out" ] && fail "--set-clock printed '$(cat "$T/out")'"
grep -q '^# 2025-08-01T10:00:00+09:00 ' "$C" || fail "the clock file does not name its Japan time: $(cat "$C")"
litter=$(ls -a "$T" | grep -v -e '^\.\.\?$' -e '^clock$' -e '^err$' -e '^out$' -e '^midnight$')
[ -n "$litter" ] && fail "--set-clock left files: $litter"
"$M" at --clock "$C" -- "$PROBE" watch 3 >"$T/watch" 2>&1 &
pids+=($!)
wait_for "$T/watch" '^2025-08-01 10:00' "the program on the clock file's first time"
"$M" at --set-clock "$C" 2025-08-02T09:00 || fail "--set-clock, second step"
wait_for "$T/watch" '^2025-08-02 09:00' "the program after the first step"
"$M" at --set-clock "$C" 2025-12-02T00:05 || fail "--set-clock, third step"
wait_for "$T/watch" '^2025-12-02 00:0' "the program after the second step"
rc=0
wait "${pids[-1]}" || rc=$?
[ "$rc" = 0 ] || fail "the program on the clock file exited $rc: $(cat "$T/watch")"
[ "$(wc -l <"$T/watch")" = 3 ] || fail "the program saw other dates: $(cat "$T/watch")"
# a fresh process on the stepped clock, with no cache
out_is 2025-12-02 "$M" at --clock-cache 0 --clock "$C" -- date +%F
# a relative FILE is made absolute: the program may change directory
out_is 2025-12-02 env -C "$T" "$M" at --clock clock -- sh -c 'cd / && date +%F'
# `at` inside `at`: the offset is taken from the real clock, not the outer fake one
out_is "2030-01-01" "$M" at 2025-08-01T10:00 -- "$M" at 2030-01-01T00:00 -- date +%F
# a clock file libfaketime would misread is refused before the program runs
printf '@2025-08-01 08:55:00\n' >"$T/bad-clock"
expect 1 at --clock "$T/bad-clock" -- date
err_has "expected an offset"
err_has "mynasim at --set-clock $T/bad-clock"
expect 1 at --clock "$T/no-clock" -- date
err_has "$T/no-clock"

# ---- the monotonic switch -------------------------------------------------------------------------------------
out_is "monotonic real" "$M" at 2025-08-01T08:55 -- "$PROBE" monotonic
out_is "monotonic real" "$M" at --real-monotonic 2025-08-01T08:55 -- "$PROBE" monotonic
out_is "abs-sleep failed: Invalid argument" "$M" at 2025-08-01T08:55 -- "$PROBE" abs-sleep
out_is "monotonic fake" "$M" at --fake-monotonic 2025-08-01T08:55 -- "$PROBE" monotonic
out_is "abs-sleep ok" "$M" at --fake-monotonic 2025-08-01T08:55 -- "$PROBE" abs-sleep
if [ -x /usr/bin/python3 ]; then # Python's time.sleep is such an absolute sleep
    py='import time; time.sleep(0.01); print(time.strftime("%F"))'
    expect 1 at 2025-08-01T08:55 -- /usr/bin/python3 -c "$py"
    err_has "Invalid argument"
    out_is 2025-08-01 "$M" at --fake-monotonic 2025-08-01T08:55 -- /usr/bin/python3 -c "$py"
fi

# ---- libfaketime missing (MYNASIM_LIBFAKETIME names the library; docs/TIME.md) ------------------------------------
MYNASIM_LIBFAKETIME=$T/no-libfaketime.so expect 1 at 2025-08-01 -- date
err_has "libfaketime not found ($T/no-libfaketime.so): install the Debian package libfaketime"

# ---- usage ----------------------------------------------------------------------------------------------------
expect 0 at --help
grep -q '^usage: mynasim at' "$T/out" || fail "at --help"
expect 2 at 2025-08-01 date +%F
err_has "put the command after --"
expect 2 at 2025-08-01T25:00 -- date
err_has "not a Japan time YYYY-MM-DDThh:mm[:ss]: 2025-08-01T25:00"
expect 2 at --real-monotonic --fake-monotonic 2025-08-01 -- date
expect 2 at --clock "$C" 2025-08-01 -- date
expect 2 at --clock-cache 1 2025-08-01 -- date
expect 2 at --set-clock "$C" 2025-08-01 -- date
expect 2 at --set-clock "$C" nope
expect 127 at 2025-08-01 -- "$T/no-such-program"
expect 7 at 2025-08-01 -- sh -c 'exit 7'

# ---- what libfaketime cannot move: a statically linked program (so most Go programs) ----------------------------
expect 0 at 1999-09-09T09:09 -- "$PROBE_STATIC" date
err_has "is statically linked: libfaketime cannot move its clock"
grep -q '^1999-' "$T/out" && fail "a statically linked program was moved: $(cat "$T/out")"

# ---- Java: works as it is ---------------------------------------------------------------------------------------
if command -v javac >/dev/null && command -v java >/dev/null; then
    mkdir -p "$T/java"
    cat >"$T/java/Now.java" <<'JAVA'
public class Now {
    public static void main(String[] a) throws Exception {
        Thread.sleep(50);
        System.out.println(java.time.LocalDate.now() + " " + java.time.ZoneId.systemDefault());
    }
}
JAVA
    if javac -d "$T/java" "$T/java/Now.java" 2>"$T/err"; then
        out_is "2025-08-01 Asia/Tokyo" "$M" at 2025-08-01T00:30 -- java -Xshare:auto -cp "$T/java" Now
    else
        fail "javac: $(cat "$T/err")"
    fi
else
    echo "at.sh: no JDK: the Java example is not run"
fi

# ---- an ASan-built program: libasan first in LD_PRELOAD, or ASAN_OPTIONS=verify_asan_link_order=0 ----------------
if [ "$PROBE_ASAN" != none ]; then
    # No ASan options here: ci/test runs every test with abort_on_error=1, which turns the link-order refusal
    # (exit 1) into an abort, and the refusal is what this shows.
    unset ASAN_OPTIONS
    expect 1 at 2025-08-01T08:55 -- "$PROBE_ASAN" date
    err_has "ASan runtime does not come first"
    asan=$("$CC" -print-file-name=libasan.so)
    out_is "2025-08-01 08:55:00" env LD_PRELOAD="$asan" "$M" at 2025-08-01T08:55 -- "$PROBE_ASAN" date
    out_is "2025-08-01 08:55:00" env ASAN_OPTIONS=verify_asan_link_order=0 "$M" at 2025-08-01T08:55 -- \
        "$PROBE_ASAN" date
    export ASAN_OPTIONS="${CALLER_ASAN_OPTIONS:+$CALLER_ASAN_OPTIONS:}verify_asan_link_order=0"
fi

# ---- mynasim serve through `at`: the service's date is the faked Japan date ----------------------------------------
# r-card of the scenario: kyokai-saitama 01110014, symbol 100, number 1007, branch 00, born 1986-02-02.
sed -e 's|<InsurerNumber>[^<]*<|<InsurerNumber>01110014<|' \
    -e 's|<InsuredCardSymbol>[^<]*<|<InsuredCardSymbol>100<|' \
    -e 's|<InsuredIdentificationNumber>[^<]*<|<InsuredIdentificationNumber>1007<|' \
    -e 's|<InsuredBranchNumber>[^<]*<|<InsuredBranchNumber>00<|' \
    -e 's|<Birthdate>[^<]*<|<Birthdate>19860202<|' \
    "$SRC/fixtures/messages/OQSsiquc01req_20250115093000001.xml" >"$T/req.xml"
# serve DATETIME: starts the service on a port the kernel picks, waits for its listening line and /health.
serve() {
    : >"$T/serve.out"
    "$M" at "$1" -- "$M" serve --listen 127.0.0.1:0 "$SRC/scenarios/clinic-reader-down-and-system-outage.yaml" \
        >"$T/serve.out" 2>"$T/serve.err" &
    pids+=($!)
    wait_for "$T/serve.out" '^listening on http://127.0.0.1:' "serve at $1" || return 1
    base=$(sed -n 's|^listening on \(http://127.0.0.1:[0-9]*\)$|\1|p' "$T/serve.out")
    local i
    for ((i = 0; i < 600; i++)); do
        [ "$(curl -s -m 2 "$base/health")" = ok ] && return 0
        sleep 0.05
    done
    fail "serve at $1: /health never answered"
    return 1
}
stop() {
    kill -TERM "${pids[-1]}"
    local rc=0
    wait "${pids[-1]}" || rc=$?
    [ "$rc" = 0 ] || fail "serve exited $rc on SIGTERM"
}
ask() { # ask WHAT PATTERN...
    local what=$1 code
    shift
    code=$(curl -s -m 10 -o "$T/body" -w '%{http_code}' -X POST --data-binary "@$T/req.xml" "$base/eligibility")
    [ "$code" = 200 ] || fail "$what: status $code"
    for p in "$@"; do
        grep -q "$p" "$T/body" || fail "$what: the answer lacks $p: $(head -c 600 "$T/body")"
    done
}
# asking DATE: the request asks for that day (YYYYMMDD); the service answers the day asked, and refuses a day
# after its own (docs/MESSAGES.md, "The day answered").
asking() { sed -i -e "s|<QualificationConfirmationDate>[^<]*<|<QualificationConfirmationDate>$1<|" "$T/req.xml"; }
# 00:05 JST on 2026-01-21 is 15:05 UTC on 20 January: the service's date is Japan's, so it answers a request
# for 2026-01-21 (r-card is insured from the period's first day, 2025-12-02).
if serve 2026-01-21T00:05; then
    asking 20260121
    ask "serve at 2026-01-21T00:05" '<ProcessExecutionTime>20260121' '<QualificationValidity>1</QualificationValidity>'
    stop
fi
if serve 1985-06-01T10:00; then
    ask "serve at 1985-06-01T10:00, asked for 2026-01-21" '<ErrorCode>MYNE4001</ErrorCode>'
    asking 19850601
    ask "serve at 1985-06-01T10:00" '<ProcessExecutionTime>19850601' '<QualificationValidity>4</QualificationValidity>'
    stop
fi

[ "$failed" = 0 ] && echo "at.sh: ok"
exit "$failed"
