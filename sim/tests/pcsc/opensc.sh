#!/bin/bash
# The default card served through a private pcscd + vpcd, read by the real OpenSC tools: the driver claims it as
# jpki, the certificate matches `mynasim card cert`, the PIN verifies, a pkcs15-crypt signature verifies with the
# certificate's key, pkcs11-tool signs, pkcs11-tool --test passes (GET CHALLENGE included), and three wrong
# PINs block it (0 tries left).
source "$(dirname "$0")/lib.sh"
pcsc_enter_namespace "$@"
pcsc_fixed_date 2025-06-02T10:00 # the default card's certificates follow the day: one day for all

pcsc_start_pcscd
pcsc_start_serve --control "$PCSC_TMP/control"
pcsc_wait_card
T=$PCSC_TMP

# the driver: opensc-tool -n names the card type
name=$(opensc-tool -r 'Virtual PCD 00 00' -n 2>/dev/null)
[[ "$name" == *jpki* ]] || pcsc_fail "opensc-tool -n printed '$name', not jpki"
pcsc_log "ok: opensc-tool -n → $name"

# the authentication certificate, PKCS#15 id 01, equals the card's own
"$MYNASIM" card cert --which auth >"$T/auth.pem"
pkcs15-tool --read-certificate 01 -o "$T/read.pem" >/dev/null 2>&1 || pkcs15-tool --read-certificate 01 >"$T/read.pem"
openssl x509 -in "$T/auth.pem" -outform DER -out "$T/auth.der"
openssl x509 -in "$T/read.pem" -outform DER -out "$T/read.der"
cmp "$T/auth.der" "$T/read.der" || pcsc_fail "pkcs15-tool --read-certificate 01 differs from mynasim card cert"
pcsc_log "ok: pkcs15-tool --read-certificate 01 = mynasim card cert --which auth"

# the PIN verifies
pkcs15-tool --verify-pin --auth-id 01 --pin 1234 >"$T/verify.out" 2>&1 || {
    cat "$T/verify.out" >&2
    pcsc_fail "pkcs15-tool --verify-pin failed"
}
pcsc_log "ok: pkcs15-tool --verify-pin --auth-id 01 --pin 1234"

# a signature by pkcs15-crypt verifies with the certificate's public key
printf 'mynasim signs this\n' >"$T/msg"
openssl dgst -sha256 -binary "$T/msg" >"$T/msg.sha256"
openssl x509 -in "$T/auth.pem" -pubkey -noout >"$T/auth.pub"
pkcs15-crypt -s -k 01 --sha-256 --pkcs1 -p 1234 -i "$T/msg.sha256" -o "$T/msg.sig" >"$T/crypt.out" 2>&1 || {
    cat "$T/crypt.out" >&2
    pcsc_fail "pkcs15-crypt -s failed"
}
[[ $(stat -c %s "$T/msg.sig") -eq 256 ]] || pcsc_fail "signature is not 256 bytes"
openssl dgst -sha256 -verify "$T/auth.pub" -signature "$T/msg.sig" "$T/msg" >/dev/null ||
    pcsc_fail "openssl dgst -verify rejects the pkcs15-crypt signature"
pcsc_log "ok: pkcs15-crypt -s -k 01 --sha-256 --pkcs1 verifies with openssl dgst -sha256 -verify"

# pkcs11-tool on a fresh card
pkcs11-tool --module "$PKCS11_MODULE" --login --pin 1234 --sign -m SHA256-RSA-PKCS --id 01 \
    -i "$T/msg" -o "$T/p11.sig" >"$T/p11.out" 2>&1 || {
    cat "$T/p11.out" >&2
    pcsc_fail "pkcs11-tool --sign failed"
}
openssl dgst -sha256 -verify "$T/auth.pub" -signature "$T/p11.sig" "$T/msg" >/dev/null ||
    pcsc_fail "openssl rejects the pkcs11-tool signature"
pcsc_log "ok: pkcs11-tool --login --sign -m SHA256-RSA-PKCS --id 01 verifies"

# pkcs11-tool --test (C_GenerateRandom is GET CHALLENGE, answered from the card's seeded RNG) finds no error;
# two draws differ (the stream moves on)
pkcs11-tool --module "$PKCS11_MODULE" --test --login --pin 1234 >"$T/p11test.out" 2>&1 || {
    cat "$T/p11test.out" >&2
    pcsc_fail "pkcs11-tool --test failed"
}
grep -q '^No errors$' "$T/p11test.out" && grep -A2 'C_GenerateRandom' "$T/p11test.out" | grep -q 'seems to be OK' || {
    cat "$T/p11test.out" >&2
    pcsc_fail "pkcs11-tool --test reports errors or no working C_GenerateRandom"
}
pkcs11-tool --module "$PKCS11_MODULE" --generate-random 32 --output-file "$T/rand1" >/dev/null 2>&1 &&
    pkcs11-tool --module "$PKCS11_MODULE" --generate-random 32 --output-file "$T/rand2" >/dev/null 2>&1 ||
    pcsc_fail "pkcs11-tool --generate-random failed"
[[ $(stat -c %s "$T/rand1") -eq 32 ]] && ! cmp -s "$T/rand1" "$T/rand2" || pcsc_fail "GET CHALLENGE gave no fresh bytes"
pcsc_log "ok: pkcs11-tool --test: No errors; --generate-random draws fresh bytes from the card"

# three wrong PINs block it; --list-pins shows 0 tries left
for i in 1 2 3; do
    if pkcs15-tool --verify-pin --auth-id 01 --pin 9999 >/dev/null 2>&1; then
        pcsc_fail "wrong PIN $i accepted"
    fi
done
pkcs15-tool --list-pins >"$T/pins.out" 2>&1 || true
awk '/^[[:space:]]*ID *: *01$/{f=1} f && /Tries left/{print; exit}' "$T/pins.out" | grep -Eq 'Tries left *: *0$' || {
    cat "$T/pins.out" >&2
    pcsc_fail "--list-pins does not show 0 tries left for auth-id 01"
}
if pkcs15-tool --verify-pin --auth-id 01 --pin 1234 >/dev/null 2>&1; then
    pcsc_fail "the right PIN is accepted on a blocked card"
fi
state=$(pcsc_control_ok "$T/control" state)
[[ "$state" == *"auth=0/3"* ]] || pcsc_fail "control state: $state"
pcsc_log "ok: three wrong PINs block it, --list-pins shows 0 tries left"

pcsc_stop_serve
pcsc_log "PASS"
