#!/bin/bash
# The JPKI client (sim/pcsc/jpki.c) gives byte-identical results in process and through pcscd + vpcd:
# certificates, PIN counters, and signatures with both keys.
source "$(dirname "$0")/lib.sh"
pcsc_enter_namespace "$@"
pcsc_fixed_date 2025-06-02T10:00 # the default card's certificates follow the day: one day for all
T=$PCSC_TMP

pcsc_start_pcscd
pcsc_start_serve
pcsc_wait_card

"$MYNASIM" card client --sign-password SIGN1234 --message "byte for byte" >"$T/inproc.out"
"$MYNASIM" card client --reader 'Virtual PCD 00 00' --sign-password SIGN1234 --message "byte for byte" \
    >"$T/pcsc.out"
grep -q '^auth-signature: [0-9A-F]\{512\}$' "$T/inproc.out" || pcsc_fail "no auth signature in process"
grep -q '^sign-signature: [0-9A-F]\{512\}$' "$T/inproc.out" || pcsc_fail "no sign signature in process"
diff <(grep -v '^reader:' "$T/inproc.out") <(grep -v '^reader:' "$T/pcsc.out") >&2 ||
    pcsc_fail "the JPKI client reads different bytes through PC/SC"
pcsc_log "ok: $(grep -vc '^reader:' "$T/pcsc.out") lines identical in process and through PC/SC"

# a wrong PIN is a refusal (exit 1), the same on both
rc=0
"$MYNASIM" card client --reader 'Virtual PCD 00 00' --pin 9999 >"$T/wrong.out" 2>&1 || rc=$?
[[ $rc -eq 1 ]] || pcsc_fail "a wrong PIN gave exit $rc"
grep -q 'auth-verify: refused (2 tries left)' "$T/wrong.out" || pcsc_fail "$(cat "$T/wrong.out")"
pcsc_log "ok: wrong PIN refused through PC/SC"

pcsc_stop_serve
pcsc_log "PASS"
