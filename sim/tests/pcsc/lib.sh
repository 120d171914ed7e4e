# lib.sh: what every PC/SC integration test does, sourced by the tests in this directory.
#
# Each test runs its OWN pcscd: inside a private mount namespace (so /run/pcscd/pcscd.comm is its own), with a
# tmpfs on /run/pcscd, a private reader-config directory holding one vpcd entry, and a private vpcd port. Tests
# can therefore run in parallel with each other and with a system pcscd. Needs root (unshare -m, mount).
#
# Usage, at the top of a test:
#   source "$(dirname "$0")/lib.sh"; pcsc_enter_namespace "$@"   # re-executes the test inside the namespace
#   pcsc_start_pcscd; pcsc_start_serve [serve args...]; pcsc_wait_card
# Every daemon is stopped by its PID from the EXIT trap; nothing is ever killed by name.

set -euo pipefail

MYNASIM=${MYNASIM:?MYNASIM must name the built mynasim binary}
PKCS11_MODULE=${PKCS11_MODULE:-/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
# mynasim processes run at a faked date (`mynasim at`, pcsc_fixed_date, anydate.sh) have libfaketime first in
# LD_PRELOAD, which gcc's ASan runtime refuses at start unless its link-order check is off (docs/TIME.md, "What
# libfaketime cannot move"); the ASan build's reports still abort the test.
case ":$ASAN_OPTIONS:" in
  *:verify_asan_link_order=*) ;;
  *) ASAN_OPTIONS="$ASAN_OPTIONS:verify_asan_link_order=0" ;;
esac
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}

PCSC_PIDS=()
PCSC_TMP=""
PCSC_PORT=""
SERVE_PID=""

pcsc_log() { printf '%s: %s\n' "$(basename "$0")" "$*" >&2; }
pcsc_fail() { pcsc_log "FAIL: $*"; exit 1; }

pcsc_cleanup() {
    local rc=$?
    local pid
    for pid in "${PCSC_PIDS[@]}"; do
        if kill -0 "$pid" 2>/dev/null; then
            kill -TERM "$pid" 2>/dev/null || true
        fi
    done
    for pid in "${PCSC_PIDS[@]}"; do
        wait "$pid" 2>/dev/null || true
    done
    if [[ $rc -ne 0 && -n "$PCSC_TMP" ]]; then
        pcsc_log "logs in $PCSC_TMP:"
        local f
        for f in "$PCSC_TMP"/*.log; do
            [[ -f "$f" ]] || continue
            echo "---- $f (last 40 lines)" >&2
            tail -n 40 "$f" >&2
        done
    fi
    if [[ -n "$PCSC_TMP" && $rc -eq 0 ]]; then
        rm -rf "$PCSC_TMP"
    fi
    exit $rc
}

# Re-executes the calling script under `unshare -m` with a private tmpfs on /run/pcscd.
pcsc_enter_namespace() {
    if [[ $(id -u) -ne 0 ]]; then
        # ci/test sets MYNASIM_REQUIRE_INTEGRATION: there a skipped integration test is a failure.
        [[ -z "${MYNASIM_REQUIRE_INTEGRATION:-}" ]] || pcsc_fail "needs root for unshare -m"
        pcsc_log "SKIP: needs root for unshare -m"
        exit 77
    fi
    if [[ -z "${MYNASIM_PCSC_NS:-}" ]]; then
        mkdir -p /run/pcscd # without it the mount fails and pcscd silently uses the shared directory
        # Private propagation, so the tmpfs below can never appear outside. In a chroot (a fresh-machine
        # run) "/" is not a mount point and unshare cannot change its propagation; there, with no mount
        # shared with any other namespace, the copied mounts are private already and nothing can leak.
        local propagation=private
        if ! unshare -m --propagation private true 2>/dev/null; then
            grep -q ' shared:' /proc/self/mountinfo &&
                pcsc_fail "cannot make a private mount namespace (unshare --propagation private fails and some mounts are shared)"
            propagation=unchanged
        fi
        exec env MYNASIM_PCSC_NS=1 unshare -m --propagation "$propagation" bash "$0" "$@"
    fi
    mount -t tmpfs -o mode=0755 tmpfs /run/pcscd
    [[ -z "$(ls -A /run/pcscd)" ]] || pcsc_fail "/run/pcscd is not private"
    PCSC_TMP=$(mktemp -d /tmp/mynasim-pcsc.XXXXXX)
    export HOME="$PCSC_TMP/home" XDG_CACHE_HOME="$PCSC_TMP/home/.cache"
    mkdir -p "$HOME"
    trap pcsc_cleanup EXIT
}

# Runs every later "$MYNASIM" of this test at one Japan date and time, faked by libfaketime (`mynasim at`, which
# execs: PIDs stay the commands'). For tests that compare what two mynasim processes say about the default
# card, whose certificates follow the day (docs/CARD.md): without it they would differ across midnight in
# Japan. Call after pcsc_enter_namespace.
pcsc_fixed_date() {
    local real=$MYNASIM
    printf '#!/bin/sh\nexec "%s" at "%s" -- "%s" "$@"\n' "$real" "$1" "$real" >"$PCSC_TMP/mynasim-at"
    chmod +x "$PCSC_TMP/mynasim-at"
    MYNASIM=$PCSC_TMP/mynasim-at
}

port_in_use() {
    ss -Htan "( sport = :$1 or dport = :$1 )" 2>/dev/null | grep -q . && return 0
    return 1
}

# A free even port and the one after it (vpcd opens two slots: CHANNELID and CHANNELID+1), starting from a place
# derived from the PID so parallel tests rarely even probe the same ports.
pcsc_pick_port() {
    local p=$((20000 + ($$ % 10000) * 2))
    local i
    for ((i = 0; i < 200; i++)); do
        if ! port_in_use "$p" && ! port_in_use $((p + 1)); then
            PCSC_PORT=$p
            return 0
        fi
        p=$((p + 2))
        ((p < 60000)) || p=20000
    done
    pcsc_fail "no free port pair"
}

# Polls a command until it succeeds, up to a deadline in seconds: no fixed sleeps, the test goes as fast as the
# daemons do.
pcsc_wait_for() {
    local seconds=$1
    shift
    local deadline=$((SECONDS + seconds))
    until "$@" >/dev/null 2>&1; do
        ((SECONDS < deadline)) || return 1
        sleep 0.05
    done
}

pcsc_start_pcscd() {
    [[ -n "$PCSC_PORT" ]] || pcsc_pick_port
    mkdir -p "$PCSC_TMP/reader.conf.d"
    cat >"$PCSC_TMP/reader.conf.d/vpcd" <<EOF
FRIENDLYNAME "Virtual PCD"
DEVICENAME   /dev/null:$PCSC_PORT
LIBPATH      /usr/lib/pcsc/drivers/serial/libifdvpcd.so
CHANNELID    $PCSC_PORT
EOF
    pcscd -f -c "$PCSC_TMP/reader.conf.d" ${PCSCD_ARGS:-} >"$PCSC_TMP/pcscd.log" 2>&1 &
    PCSCD_PID=$!
    PCSC_PIDS+=("$PCSCD_PID")
    pcsc_wait_for 20 test -S /run/pcscd/pcscd.comm || pcsc_fail "pcscd did not start"
    pcsc_wait_for 20 port_listening "$PCSC_PORT" || pcsc_fail "vpcd is not listening on $PCSC_PORT"
}

port_listening() { ss -Hltn "( sport = :$1 )" 2>/dev/null | grep -q .; }

pcsc_stop_pcscd() {
    kill -TERM "$PCSCD_PID"
    wait "$PCSCD_PID" 2>/dev/null || true
}

# Starts `mynasim card serve` against this test's vpcd. Extra arguments go to serve.
pcsc_start_serve() {
    "$MYNASIM" card serve --vpcd "127.0.0.1:$PCSC_PORT" "$@" >>"$PCSC_TMP/serve.log" 2>&1 &
    SERVE_PID=$!
    PCSC_PIDS+=("$SERVE_PID")
}

pcsc_stop_serve() {
    kill -TERM "$SERVE_PID"
    local rc=0
    wait "$SERVE_PID" || rc=$?
    [[ $rc -eq 0 ]] || pcsc_fail "serve exited $rc on SIGTERM"
}

card_present() { opensc-tool -l 2>/dev/null | grep -E '^[0-9]+ +Yes' | grep -q 'Virtual PCD 00 00'; }
card_absent() { ! card_present && opensc-tool -l 2>/dev/null | grep -q 'Virtual PCD 00 00'; }

pcsc_wait_card() {
    pcsc_wait_for "${1:-30}" card_present || pcsc_fail "no card in 'Virtual PCD 00 00'"
}

# A line to the control socket (`mynasim card control`), the reply line on stdout.
pcsc_control() {
    local sock=$1
    shift
    "$MYNASIM" card control --socket "$sock" $* || true
}

# Expects the control reply to start with OK.
pcsc_control_ok() {
    local reply
    reply=$(pcsc_control "$1" "$2")
    [[ "$reply" == OK* ]] || pcsc_fail "control '$2' answered: $reply"
    printf '%s\n' "$reply"
}
