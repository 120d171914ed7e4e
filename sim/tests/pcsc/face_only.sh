#!/bin/bash
# The face-only card (MYNA-2, docs/CARD.md "The face-only card") through a private pcscd + vpcd, as OpenSC
# sees it: the driver claims it (jpki, by its ATR), but OpenSC's JPKI PKCS#15 emulator cannot bind it (its PIN
# query needs 63Cx and the card has no PIN: the empty VERIFY answers 6A88), so pkcs15-tool fails and
# pkcs11-tool shows the token as not recognised; what a face-authentication reader needs still works with
# plain APDUs: the auth certificate EF 000A reads without any PIN and equals `mynasim card cert`, VERIFY with
# and without data answers 6A88, the signature password EF 001B does not exist (6A82).
source "$(dirname "$0")/lib.sh"
pcsc_enter_namespace "$@"

PROFILE=${MYNASIM_DATA_DIR:?}/cards/face_only.yaml
T=$PCSC_TMP
pcsc_start_pcscd
pcsc_start_serve --profile "$PROFILE"
pcsc_wait_card

name=$(opensc-tool -r 'Virtual PCD 00 00' -n 2>/dev/null)
[[ "$name" == *jpki* ]] || pcsc_fail "opensc-tool -n printed '$name', not jpki"

if pkcs15-tool --list-certificates >"$T/p15.out" 2>&1; then
    cat "$T/p15.out" >&2
    pcsc_fail "pkcs15-tool bound the face-only card"
fi
grep -q 'PKCS#15 binding failed' "$T/p15.out" || {
    cat "$T/p15.out" >&2
    pcsc_fail "pkcs15-tool failed for another reason than binding"
}
pkcs11-tool --module "$PKCS11_MODULE" --list-slots >"$T/slots.out" 2>&1 || true
grep -q 'token not recognized' "$T/slots.out" || {
    cat "$T/slots.out" >&2
    pcsc_fail "pkcs11-tool does not show the token as not recognized"
}
pcsc_log "ok: opensc-tool -n → jpki; pkcs15-tool: PKCS#15 binding failed; pkcs11-tool: token not recognized"

# Plain APDUs: select JPKI, EF 000A, read 256 bytes; the auth PIN EF; empty VERIFY; VERIFY 1234; EF 001B.
opensc-tool -r 'Virtual PCD 00 00' -s '00 A4 04 0C 0A D3 92 F0 00 26 01 00 00 00 01' -s '00 A4 02 0C 02 00 0A' \
    -s '00 B0 00 00 00' -s '00 A4 02 0C 02 00 18' -s '00 20 00 80' -s '00 20 00 80 04 31 32 33 34' \
    -s '00 A4 02 0C 02 00 1B' >"$T/apdu.out" 2>&1 || pcsc_fail "opensc-tool -s failed"
sws=$(grep -o 'SW1=0x[0-9A-F]*, SW2=0x[0-9A-F]*' "$T/apdu.out" | sed 's/SW1=0x//; s/, SW2=0x//' | tr '\n' ' ')
[[ "$sws" == "9000 9000 9000 9000 6A88 6A88 6A82 " ]] || {
    cat "$T/apdu.out" >&2
    pcsc_fail "status words '$sws', want 9000 9000 9000 9000 6A88 6A88 6A82 (SELECT, SELECT 000A, READ, SELECT 0018, VERIFY, VERIFY 1234, SELECT 001B)"
}
read_hex=$(awk '/^Sending: 00 B0/{f=1; next} /^Sending/{f=0} f && !/Received/{print substr($0, 1, 48)}' "$T/apdu.out" |
    tr -d ' \n' | tr 'A-F' 'a-f')
"$MYNASIM" card cert --profile "$PROFILE" --which auth | openssl x509 -outform DER -out "$T/auth.der"
want_hex=$(xxd -p -l 256 "$T/auth.der" | tr -d '\n')
[[ ${#read_hex} -eq 512 && "$read_hex" == "$want_hex" ]] ||
    pcsc_fail "EF 000A's first 256 bytes differ from mynasim card cert --which auth"
pcsc_log "ok: EF 000A reads without a PIN and is the auth certificate; VERIFY empty and with data 6A88; EF 001B 6A82"

pcsc_stop_serve
pcsc_log "PASS"
