#!/bin/bash
# The --state file keeps a blocked PIN across a restart of `mynasim card serve`, and the server finds a
# restarted pcscd by itself (vpcd listens, so the card side must reconnect).
source "$(dirname "$0")/lib.sh"
pcsc_enter_namespace "$@"
T=$PCSC_TMP

pcsc_start_pcscd
pcsc_start_serve --state "$T/card.state"
pcsc_wait_card
[[ -s "$T/card.state" ]] || pcsc_fail "--state file not written at start"

for i in 1 2 3; do
    if pkcs15-tool --verify-pin --auth-id 01 --pin 0000 >/dev/null 2>&1; then
        pcsc_fail "wrong PIN $i accepted"
    fi
done
tries_left() {
    pkcs15-tool --list-pins 2>/dev/null | awk '/^[[:space:]]*ID *: *01$/{f=1} f && /Tries left/{print $NF; exit}'
}
[[ $(tries_left) == 0 ]] || pcsc_fail "not blocked after three wrong PINs"
ls "$T" | grep -v -E '^(card\.state|home|reader\.conf\.d|.*\.log)$' && pcsc_fail "temporary files left beside the state file"
pcsc_log "ok: blocked, state saved"

# restart the card server: the block survives
pcsc_stop_serve
pcsc_wait_for 20 card_absent || pcsc_fail "pcscd still sees a card after serve stopped"
pcsc_start_serve --state "$T/card.state"
pcsc_wait_card
[[ $(tries_left) == 0 ]] || pcsc_fail "the block did not survive a restart of serve"
if pkcs15-tool --verify-pin --auth-id 01 --pin 1234 >/dev/null 2>&1; then
    pcsc_fail "the right PIN is accepted after the restart"
fi
pcsc_log "ok: the block survives a restart of serve"

# restart pcscd: serve reconnects on its own
pcsc_stop_pcscd
pcsc_start_pcscd
pcsc_wait_card
[[ $(tries_left) == 0 ]] || pcsc_fail "the card changed across a pcscd restart"
grep -q "reconnecting" "$T/serve.log" || pcsc_fail "serve did not log the reconnection"
pcsc_log "ok: serve reconnects to a restarted pcscd"

# a state file that is not one is refused with a clear message and exit 2
printf 'garbage' >"$T/bad.state"
rc=0
"$MYNASIM" card serve --vpcd "127.0.0.1:1" --state "$T/bad.state" 2>"$T/bad.err" || rc=$?
[[ $rc -eq 2 ]] || pcsc_fail "a bad state file gave exit $rc, not 2"
grep -q "bad.state" "$T/bad.err" || pcsc_fail "the error does not name the state file: $(cat "$T/bad.err")"
pcsc_log "ok: a bad state file is refused (exit 2)"

pcsc_stop_serve
pcsc_log "PASS"
