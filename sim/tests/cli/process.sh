#!/bin/bash
# cli.process: `mynasim run --process` (docs/WIRE.md, "The run starts its own processes"). The run starts a private
# pcscd with vpcd, `mynasim card serve` and one `mynasim serve` per file on a clock file, and stops them by PID.
#  - five library scenarios give the in-process run's JSON report byte for byte, and the same exit status;
#  - no process the run started survives it (every child carries a mark in its environment, looked for in /proc),
#    at the end, on an error while starting, and on SIGTERM and SIGINT in the middle of a run; its private
#    directory is gone each time;
#  - the clock file is stepped to the visits' dates at their times of day (`time:`, 10:00 without; -v names
#    each step), the report of a scenario with visit times still the in-process one; stderr is the closing line alone when
#    it is not a terminal, and shows what the run waits for on one (script(1));
#  - usage errors, a missing pcscd, vpcd or libfaketime named with its Debian package, and a run without root
#    refused (exit 2).
# Usage: process.sh MYNASIM SOURCE_DIR. Needs root and pcscd, vpcd and libfaketime: skipped (77) without them,
# a failure under MYNASIM_REQUIRE_INTEGRATION=1.
set -euo pipefail
MYNASIM=${1:?usage: process.sh MYNASIM SOURCE_DIR}
SRC=${2:?usage: process.sh MYNASIM SOURCE_DIR}
SCN=$SRC/scenarios
# The children run under libfaketime (`mynasim at`): an ASan build needs its link-order check off (docs/TIME.md).
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
case ":$ASAN_OPTIONS:" in *:verify_asan_link_order=*) ;; *) ASAN_OPTIONS="$ASAN_OPTIONS:verify_asan_link_order=0" ;; esac

log() { printf 'process.sh: %s\n' "$*" >&2; }
fail() { log "FAIL: $*"; exit 1; }
T=$(mktemp -d /tmp/mynasim-process-test.XXXXXX)
cleanup() {
    local rc=$?
    [[ $rc -eq 0 ]] && rm -rf "$T" || log "files in $T"
    exit $rc
}
trap cleanup EXIT

# Exit status and a line of stderr: run_expect STATUS PATTERN ARGS...
run_expect() {
    local want=$1 pattern=$2 rc=0
    shift 2
    "$@" >"$T/out" 2>"$T/err" || rc=$?
    [[ $rc -eq $want ]] || fail "$* gave exit $rc, not $want: $(cat "$T/err")"
    grep -q -- "$pattern" "$T/err" || fail "$*: no '$pattern' in: $(cat "$T/err")"
}

# ---- usage and missing tools: found before anything is started, no root needed ----
f=$SCN/pin-locked-after-three-wrong-tries-then-reset.yaml
run_expect 2 'not with --service' "$MYNASIM" run --process --service 127.0.0.1:1 --card-control /x "$f"
run_expect 2 'cannot go with --fidelity rules' "$MYNASIM" run --process --fidelity rules "$f"
run_expect 2 'nor --process' "$MYNASIM" run --process -j 2 "$f"
"$MYNASIM" run --help | grep -q -- '--process' || fail "--help does not list --process"
run_expect 2 'install the Debian package pcscd' env MYNASIM_PCSCD=/nonexistent/pcscd "$MYNASIM" run --process "$f"
run_expect 2 'install the Debian package vsmartcard-vpcd' env MYNASIM_VPCD=/nonexistent/vpcd.so "$MYNASIM" run --process "$f"
run_expect 2 'install the Debian package libfaketime' env MYNASIM_LIBFAKETIME=/nonexistent/lib.so "$MYNASIM" run --process "$f"
log "ok: usage and missing tools"

skip() {
    [[ -z "${MYNASIM_REQUIRE_INTEGRATION:-}" ]] || fail "$*"
    log "SKIP: $*"
    exit 77
}
[[ $(id -u) -eq 0 ]] || skip "needs root (its own mount and network namespaces)"
[[ -x /usr/sbin/pcscd ]] || skip "no pcscd (Debian package pcscd)"
[[ -r /usr/lib/pcsc/drivers/serial/libifdvpcd.so ]] || skip "no vpcd (Debian package vsmartcard-vpcd)"
"$MYNASIM" at 2025-08-01 -- true 2>/dev/null || skip "no libfaketime (Debian package libfaketime)"

# Every run below carries MARK in its environment, and so does every process it starts.
MARK="process-test-$$-$RANDOM"
survivors() {
    local e pid
    for e in $(grep -lzx "MYNASIM_PROCESS_TEST_MARK=$MARK" /proc/[0-9]*/environ 2>/dev/null); do
        pid=${e#/proc/}
        pid=${pid%/environ}
        echo "$pid $(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)"
    done
    return 0
}
no_survivor() {
    local left
    left=$(survivors)
    [[ -z "$left" ]] || fail "$1: processes survived the run: $left"
    [[ -z "$(ls -A "$T/tmp")" ]] || fail "$1: the run's directory is left: $(ls -A "$T/tmp")"
}
mkdir -p "$T/tmp"
marked() { env MYNASIM_PROCESS_TEST_MARK="$MARK" TMPDIR="$T/tmp" "$@"; }

# ---- the same report as in process ----
scenarios=(
    pin-locked-after-three-wrong-tries-then-reset   # PIN route, face route, face_mismatch, PIN block, probes
    face-only-card-registers-at-clinic-reader       # a face-only card: face and visual routes
    clinic-reader-down-and-system-outage            # reader fault, the system outage (/control/down)
    society-to-kyokai-job-change-with-dependents    # several residents, cards changing hands of insurers
    desk-readers-and-faults                         # borrowed certificate and replayed request refused for real
)
files=()
for name in "${scenarios[@]}"; do files+=("$SCN/$name.yaml"); done
in_rc=0
"$MYNASIM" run -q --report json "${files[@]}" >"$T/in.json" || in_rc=$?
rc=0
marked "$MYNASIM" run -v --process --report json "${files[@]}" >"$T/process.json" 2>"$T/process.err" || rc=$?
[[ $rc -eq $in_rc ]] || fail "exit $rc with --process, $in_rc in process: $(cat "$T/process.err")"
cmp -s "$T/in.json" "$T/process.json" || {
    diff -u "$T/in.json" "$T/process.json" | head -40 >&2
    fail "the report with --process differs from the in-process run's"
}
no_survivor "the comparison"
n=$(grep -c '^mynasim run: started the eligibility service' "$T/process.err" || true)
[[ $n -eq ${#files[@]} ]] || fail "$n services started for ${#files[@]} files: $(cat "$T/process.err")"
for what in pcscd 'the card server' 'the eligibility service'; do
    s=$(grep -c "^mynasim run: started $what (pid" "$T/process.err" || true)
    e=$(grep -c "^mynasim run: stopped $what (pid" "$T/process.err" || true)
    [[ $s -ge 1 && $s -eq $e ]] || fail "$what: started $s times, stopped $e times"
done
# the clock follows the first file's visits: its period's first day, then the dates of its visits, in order
grep -q '^mynasim run: clock 2026-01-05T10:00$' "$T/process.err" || fail "no clock step to 2026-01-05: $(cat "$T/process.err")"
steps=$(grep -c '^mynasim run: clock ' "$T/process.err" || true)
((steps > ${#files[@]})) || fail "the clock was stepped $steps times"
log "ok: ${#files[@]} scenarios identical in process and with --process ($(wc -c <"$T/in.json") bytes, $steps clock steps)"

# ---- a visit's time of day: the clock is set to it (-v), the report still the in-process one ----
# The edges of Japan's day (23:55, 00:05 JST: the previous and the same UTC day), then a visit without a time (10:00).
cat >"$T/timed.yaml" <<'YAML'
format: 2
scenario: process-visit-times
period: {from: 2025-08-01, to: 2025-08-31}
insurers: [{id: aisho-nhi, kind: nhi, number: "112334"}]
clinics: [{id: clinic-a, reader: face}, {id: clinic-b, reader: pin}]
residents:
  - {id: r1, born: 1958-05-10, insurer: aisho-nhi, card: {issued: 2022-06-01}, registered: 2023-02-01}
events:
  - {date: 2025-08-05, who: r1, do: visit, clinic: clinic-a, kind: first, time: 23:55}
  - {date: 2025-08-06, who: r1, do: visit, clinic: clinic-b, kind: revisit, time: 00:05}
  - {date: 2025-08-06, who: r1, do: visit, clinic: clinic-a, kind: revisit, time: 00:05}
  - {date: 2025-08-07, who: r1, do: visit, clinic: clinic-a, kind: revisit}
YAML
in_rc=0
"$MYNASIM" run -q --report json "$T/timed.yaml" >"$T/timed-in.json" || in_rc=$?
rc=0
marked "$MYNASIM" run -v --process --report json "$T/timed.yaml" >"$T/timed.json" 2>"$T/timed.err" || rc=$?
[[ $rc -eq $in_rc ]] || fail "visit times: exit $rc with --process, $in_rc in process: $(cat "$T/timed.err")"
cmp -s "$T/timed-in.json" "$T/timed.json" || {
    diff -u "$T/timed-in.json" "$T/timed.json" | head -40 >&2
    fail "visit times: the report with --process differs from the in-process run's"
}
no_survivor "visit times"
# the period's first day at 10:00 before the card server and before the file's service start, then each visit's
# time, once for the two at 00:05
want=$'2025-08-01T10:00\n2025-08-01T10:00\n2025-08-05T23:55\n2025-08-06T00:05\n2025-08-07T10:00'
got=$(sed -n 's/^mynasim run: clock //p' "$T/timed.err")
[[ "$got" == "$want" ]] || fail "visit times: the clock was set to $(echo $got), not $(echo $want): $(cat "$T/timed.err")"
log "ok: the clock set to each visit's time ($(echo $got))"

# ---- quiet in CI, progress on a terminal ----
marked "$MYNASIM" run --process "$f" >/dev/null 2>"$T/quiet.err" || fail "one file with --process: $(cat "$T/quiet.err")"
[[ $(wc -l <"$T/quiet.err") -eq 1 ]] && grep -q '^mynasim run: 1 passed, 0 failed' "$T/quiet.err" ||
    fail "not on a terminal, stderr is more than the closing line: $(cat "$T/quiet.err")"
no_survivor "quiet"
if command -v script >/dev/null; then
    MYNASIM_PROCESS_TEST_MARK="$MARK" TMPDIR="$T/tmp" script -qec "'$MYNASIM' run --process '$f' >/dev/null" /dev/null \
        >"$T/pty.out" 2>&1 || fail "on a terminal: $(cat -v "$T/pty.out")"
    grep -q 'waiting for the card server' "$T/pty.out" || fail "no progress on a terminal: $(cat -v "$T/pty.out")"
    no_survivor "on a terminal"
fi
log "ok: quiet in CI, progress on a terminal"

# ---- a process that exits while starting: an error naming it, nothing left ----
run_expect 2 'pcscd exited (status 1) before' marked env MYNASIM_PCSCD=/bin/false "$MYNASIM" run -q --process "$f"
no_survivor "pcscd failing"
log "ok: a process that fails to start"

# ---- without root: refused before anything is started (when an unprivileged user can run this mynasim) ----
NOBODY=$(mktemp -d /tmp/mynasim-process-nobody.XXXXXX) # $T is the test's own: another user cannot enter it
chmod 1777 "$NOBODY"
if command -v setpriv >/dev/null && setpriv --reuid=65534 --regid=65534 --clear-groups test -x "$MYNASIM" -a -r "$f"; then
    run_expect 2 'cannot be made (Operation not permitted): run it as root' \
        env MYNASIM_PROCESS_TEST_MARK="$MARK" TMPDIR="$NOBODY" setpriv --reuid=65534 --regid=65534 --clear-groups "$MYNASIM" run -q --process "$f"
    no_survivor "not root"
    [[ -z "$(ls -A "$NOBODY")" ]] || fail "not root: the run's directory is left: $(ls -A "$NOBODY")"
    rmdir "$NOBODY"
    log "ok: refused without root"
fi

# ---- SIGTERM and SIGINT in the middle: every child stopped, the run dies of the signal ----
# The five files take the run seconds more than it needs to get to the signal: it is sent once the first service
# has been started (the run's -v line), waited on by polling the run's stderr.
for sig in TERM INT; do
    : >"$T/sig.err"
    # env execs mynasim: $! is the run's PID
    env MYNASIM_PROCESS_TEST_MARK="$MARK" TMPDIR="$T/tmp" "$MYNASIM" run -v --process --report json "${files[@]}" \
        >/dev/null 2>"$T/sig.err" &
    pid=$!
    deadline=$((SECONDS + 60))
    until grep -q '^mynasim run: started the eligibility service' "$T/sig.err"; do
        kill -0 "$pid" 2>/dev/null || fail "SIG$sig: the run ended before the signal: $(cat "$T/sig.err")"
        ((SECONDS < deadline)) || fail "SIG$sig: the first service never started: $(cat "$T/sig.err")"
        sleep 0.05
    done
    # the check below sees the run and its children while they live: pcscd, the card server, the service
    live=$(survivors | wc -l)
    ((live >= 4)) || fail "SIG$sig: $live marked processes before the signal: $(survivors)"
    kill "-$sig" "$pid"
    rc=0
    wait "$pid" || rc=$?
    want=$((128 + $(kill -l "$sig")))
    [[ $rc -eq $want ]] || fail "SIG$sig: the run exited $rc, not $want: $(tail -5 "$T/sig.err")"
    no_survivor "SIG$sig"
    log "ok: SIG$sig stops every process"
done
log "PASS"
