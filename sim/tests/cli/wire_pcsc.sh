#!/bin/bash
# The wire path through real processes (docs/WIRE.md): a private pcscd with vpcd, `mynasim card serve` whose slot
# gets each visit's card over its control channel, and `mynasim serve --control` (one per scenario, on a private
# loopback port) answering over HTTP. A handful of library scenarios, chosen to cover the PIN route, the face
# route (with a failed match), a blocked PIN, a face-only card, a reader fault and the system outage, and probes
# (online checks and visits of expectations) must give a JSON report byte-identical to --fidelity rules; the
# served card must come back untouched (every visit and probe restores the slot).
# Usage: wire_pcsc.sh SCENARIO_DIR. Needs root (sim/tests/pcsc/lib.sh: own mount namespace); exits 77 otherwise.
LIB="$(cd "$(dirname "$0")/../pcsc" && pwd)/lib.sh"
SCENARIOS=${1:?usage: wire_pcsc.sh SCENARIO_DIR}
SCENARIOS=$(cd "$SCENARIOS" && pwd)
# shellcheck source=../pcsc/lib.sh
source "$LIB"
pcsc_enter_namespace "$@"
T=$PCSC_TMP
C=$T/control

pcsc_start_pcscd
pcsc_start_serve --control "$C"
pcsc_wait_card
before=$(pcsc_control_ok "$C" state)

# `mynasim serve --control` on a free loopback port (PORT 0: it prints the one it got), stopped by its PID.
SVC_PID=""
SVC_ADDR=""
start_service() {
    local file=$1 log=$T/service.$2.log
    : >"$log"
    "$MYNASIM" serve --listen 127.0.0.1:0 --control "$file" >"$log" 2>&1 &
    SVC_PID=$!
    PCSC_PIDS+=("$SVC_PID")
    pcsc_wait_for 30 grep -q '^listening on http://' "$log" || pcsc_fail "the service did not start: $(cat "$log")"
    SVC_ADDR=$(sed -n 's|^listening on http://\(.*\)$|\1|p' "$log")
}
stop_service() {
    kill -TERM "$SVC_PID"
    local rc=0
    wait "$SVC_PID" || rc=$?
    [[ $rc -eq 0 ]] || pcsc_fail "the service exited $rc on SIGTERM"
}

scenarios=(
    pin-locked-after-three-wrong-tries-then-reset   # PIN route, face route, face_mismatch, PIN block, probes
    face-only-card-registers-at-clinic-reader       # a face-only card: face and visual routes
    clinic-reader-down-and-system-outage            # reader fault, the system outage (/control/down)
    society-to-kyokai-job-change-with-dependents    # several residents, cards changing hands of insurers
    desk-readers-and-faults                         # borrowed certificate and replayed request refused for real
)
for name in "${scenarios[@]}"; do
    f=$SCENARIOS/$name.yaml
    [[ -f "$f" ]] || pcsc_fail "no scenario $f"
    "$MYNASIM" run --quiet --fidelity rules --report json "$f" >"$T/$name.rules.json"
    rules_rc=$?
    start_service "$f" "$name"
    apdus_before=$(pcsc_control_ok "$C" status | sed -n 's/.* apdus=\([0-9]*\).*/\1/p')
    rc=0
    "$MYNASIM" run --quiet --report json --service "$SVC_ADDR" --card-reader 'Virtual PCD 00 00' \
        --card-control "$C" "$f" >"$T/$name.remote.json" 2>"$T/$name.remote.err" || rc=$?
    stop_service
    [[ $rc -eq $rules_rc ]] ||
        pcsc_fail "$name: exit $rc through pcscd and HTTP, $rules_rc on the rules path: $(cat "$T/$name.remote.err")"
    cmp -s "$T/$name.rules.json" "$T/$name.remote.json" || {
        diff -u "$T/$name.rules.json" "$T/$name.remote.json" | head -60 >&2
        pcsc_fail "$name: the report through pcscd and HTTP differs from --fidelity rules"
    }
    apdus=$(($(pcsc_control_ok "$C" status | sed -n 's/.* apdus=\([0-9]*\).*/\1/p') - apdus_before))
    ((apdus > 0)) || pcsc_fail "$name: no APDU went through pcscd"
    pcsc_log "ok: $name identical ($(wc -c <"$T/$name.rules.json") bytes, $apdus APDUs through pcscd)"
done

# Nothing left behind on the served card: the same card, the same counters as before the runs.
# Power is left out: pcscd powers an idle card down on its own schedule, which a loaded machine shifts.
after=$(pcsc_control_ok "$C" state)
[[ "${after/ powered=no/ powered=yes}" == "${before/ powered=no/ powered=yes}" ]] || pcsc_fail "the served card changed: before '$before', after '$after'"
pcsc_log "ok: the served card is as it was ($after)"

# Refusals: an unreachable service, and a control socket that is not there, each with a clear error.
f=$SCENARIOS/${scenarios[0]}.yaml
rc=0
"$MYNASIM" run --quiet --service 127.0.0.1:1 --card-control "$C" "$f" >/dev/null 2>"$T/refused.err" || rc=$?
[[ $rc -eq 2 ]] || pcsc_fail "an unreachable service gave exit $rc"
grep -q 'the eligibility service at 127.0.0.1:1 is not reachable' "$T/refused.err" ||
    pcsc_fail "unreachable service: $(cat "$T/refused.err")"
start_service "$f" refused
rc=0
"$MYNASIM" run --quiet --service "$SVC_ADDR" --card-control "$T/nosuch" "$f" >/dev/null 2>"$T/refused.err" || rc=$?
stop_service
[[ $rc -eq 2 ]] || pcsc_fail "a missing control socket gave exit $rc"
grep -q "the card server's control channel $T/nosuch is not reachable" "$T/refused.err" ||
    pcsc_fail "missing control socket: $(cat "$T/refused.err")"
rc=0
"$MYNASIM" run --quiet --service "$SVC_ADDR" --card-control "$C" "$SCENARIOS" >/dev/null 2>"$T/refused.err" || rc=$?
[[ $rc -eq 2 ]] || pcsc_fail "--service with a directory gave exit $rc"
grep -q 'give one FILE' "$T/refused.err" || pcsc_fail "--service with a directory: $(cat "$T/refused.err")"
pcsc_log "ok: refusals"

pcsc_stop_serve
pcsc_log "PASS"
