#!/bin/bash
# The control channel: save/restore leave no trace of a probe, swap presents another card without waiting for
# presence polling, remove/insert are seen by pcscd.
source "$(dirname "$0")/lib.sh"
pcsc_enter_namespace "$@"
pcsc_fixed_date 2025-06-02T10:00 # the default card's certificates follow the day: one day for all
T=$PCSC_TMP
C=$T/control

default_profile="$MYNASIM_DATA_DIR/cards/default.yaml"
sed -e 's/^id: default/id: swapped/' -e 's/^seed: 1/seed: 2/' "$default_profile" >"$T/other.yaml"
"$MYNASIM" card cert --which auth >"$T/default.pem"
"$MYNASIM" card cert --profile "$T/other.yaml" --which auth >"$T/other.pem"
cmp -s "$T/default.pem" "$T/other.pem" && pcsc_fail "the two profiles share a certificate"

pcsc_start_pcscd
pcsc_start_serve --control "$C"
pcsc_wait_card

read_cert() { pkcs15-tool --read-certificate 01 2>/dev/null | openssl x509 -outform PEM; }
auth_tries() { pcsc_control_ok "$C" state | sed -n 's/.*auth=\([0-9]*\)\/.*/\1/p'; }

# a probe that leaves no trace
pcsc_control_ok "$C" "save fresh" >/dev/null
pkcs15-tool --verify-pin --auth-id 01 --pin 0000 >/dev/null 2>&1 && pcsc_fail "wrong PIN accepted"
[[ $(auth_tries) == 2 ]] || pcsc_fail "a wrong PIN did not count"
pcsc_control_ok "$C" "restore fresh" >/dev/null
[[ $(auth_tries) == 3 ]] || pcsc_fail "restore did not put the counter back"
pkcs15-tool --list-pins 2>/dev/null | awk '/^[[:space:]]*ID *: *01$/{f=1} f && /Tries left/{print $NF; exit}' |
    grep -qx 3 || pcsc_fail "OpenSC does not see 3 tries after restore"
pcsc_log "ok: save/restore leaves no trace"

# swap in another card: OpenSC reads the other certificate, with no removal in between
read_cert >"$T/before.pem"
cmp -s "$T/before.pem" "$T/default.pem" || pcsc_fail "the served certificate is not the default one"
pcsc_control_ok "$C" "swap $T/other.yaml" >/dev/null
read_cert >"$T/after.pem"
cmp -s "$T/after.pem" "$T/other.pem" || pcsc_fail "after swap OpenSC reads another certificate than the swapped card's"
pkcs15-tool --verify-pin --auth-id 01 --pin 1234 >/dev/null 2>&1 || pcsc_fail "swapped card refuses its PIN"
pcsc_log "ok: swap presents the other card"

# restore a snapshot taken on another card brings that card back
pcsc_control_ok "$C" "restore fresh" >/dev/null
read_cert >"$T/back.pem"
cmp -s "$T/back.pem" "$T/default.pem" || pcsc_fail "restore after swap did not bring the default card back"
pcsc_log "ok: restore across a swap"

# bad commands are refused, the server stays up
reply=$(pcsc_control "$C" "restore nosuch")
[[ "$reply" == ERR* ]] || pcsc_fail "restore of an unknown snapshot answered: $reply"
reply=$(pcsc_control "$C" "swap /nonexistent.yaml")
[[ "$reply" == ERR* ]] || pcsc_fail "swap of a missing profile answered: $reply"
pcsc_control_ok "$C" status | grep -q "connected=yes" || pcsc_fail "status after errors"
pcsc_log "ok: errors are answered with ERR"

# remove and insert, as pcscd sees them
pcsc_control_ok "$C" remove >/dev/null
pcsc_wait_for 20 card_absent || pcsc_fail "pcscd still sees a card after remove"
pcsc_control_ok "$C" insert >/dev/null
pcsc_wait_card
read_cert >"$T/reinserted.pem"
cmp -s "$T/reinserted.pem" "$T/default.pem" || pcsc_fail "a different card came back after insert"
pcsc_log "ok: remove/insert"

pcsc_stop_serve
[[ ! -e "$C" ]] || pcsc_fail "the control socket was left behind"
pcsc_log "PASS"
