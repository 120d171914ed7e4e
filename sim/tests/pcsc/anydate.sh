#!/bin/bash
# The default card is usable on any date (docs/CARD.md, "The default card"): at three fixed dates faked by
# libfaketime (`mynasim at`, never the wall clock), the card served with no --profile through a private pcscd
# + vpcd is read by OpenSC (pkcs15-tool and pkcs11-tool through OpenSC's module list the auth certificate and
# its key), its auth certificate verifies against the test CA at that date, and a TLS 1.2 handshake with
# client authentication succeeds: `openssl s_server -tls1_2 -Verify 1 -verify_return_error` on a loopback
# port, the client's key on the card through OpenSC's PKCS#11 module and libp11's engine. The card server,
# the TLS server and the TLS client all run at the same faked date. The control: the fixed-date card
# (cards/issued_2021.yaml, certificates to 2026-04-01) is refused by the same server at the last date.
source "$(dirname "$0")/lib.sh"
pcsc_enter_namespace "$@"

DATA=${MYNASIM_DATA_DIR:?MYNASIM_DATA_DIR must name fixtures/}
CA=$DATA/pki/auth-ca.crt.pem
ENGINE=${PKCS11_ENGINE:-/usr/lib/x86_64-linux-gnu/engines-3/pkcs11.so}
[[ -f "$ENGINE" ]] || pcsc_fail "no PKCS#11 engine at $ENGINE (ci/install-deps installs libengine-pkcs11-openssl)"
T=$PCSC_TMP

# OpenSSL reaches the card through libp11's engine and OpenSC's module; nothing else is configured.
cat >"$T/openssl.cnf" <<EOF
openssl_conf = openssl_init
[openssl_init]
engines = engine_section
[engine_section]
pkcs11 = pkcs11_section
[pkcs11_section]
engine_id = pkcs11
dynamic_path = $ENGINE
MODULE_PATH = $PKCS11_MODULE
init = 0
EOF

tls_pick_port() {
    local p=$((40000 + ($$ % 5000) * 2 + 1)) i
    for ((i = 0; i < 200; i++)); do
        port_in_use "$p" || {
            TLS_PORT=$p
            return 0
        }
        p=$((p + 2))
    done
    pcsc_fail "no free port for the TLS server"
}

# Replaces the served card: stops the running server (if any), waits until the reader is empty, starts
# `mynasim at DATE -- mynasim card serve ARGS...` and waits for the card.
serve_at() {
    local date=$1
    shift
    if [[ -n "$SERVE_PID" ]]; then
        pcsc_stop_serve
        pcsc_wait_for 20 card_absent || pcsc_fail "the card did not leave the reader"
    fi
    "$MYNASIM" at "$date" -- "$MYNASIM" card serve --vpcd "127.0.0.1:$PCSC_PORT" "$@" >>"$T/serve.log" 2>&1 &
    SERVE_PID=$!
    PCSC_PIDS+=("$SERVE_PID")
    pcsc_wait_card
}

# A TLS 1.2 handshake at DATE with client authentication by the card's auth key, then one request: s_server
# -www answers with a page describing the session, the client's certificate included. OUT names the logs
# (OUT.client holds the page, OUT.server the server's). Returns the client's exit status.
handshake_at() {
    local date=$1 out=$2 rc=0
    tls_pick_port
    "$MYNASIM" at "$date" -- openssl s_server -tls1_2 -accept "127.0.0.1:$TLS_PORT" -naccept 1 \
        -cert "$T/server.pem" -key "$T/server.key" -Verify 1 -verify_return_error -CAfile "$CA" \
        -client_sigalgs RSA+SHA256 -www </dev/null >"$out.server" 2>&1 &
    local server=$!
    PCSC_PIDS+=("$server")
    pcsc_wait_for 20 port_listening "$TLS_PORT" || pcsc_fail "s_server is not listening on $TLS_PORT"
    OPENSSL_CONF=$T/openssl.cnf "$MYNASIM" at "$date" -- openssl s_client -tls1_2 \
        -connect "127.0.0.1:$TLS_PORT" -engine pkcs11 -keyform engine \
        -key "pkcs11:token=JPKI%20(User%20Authentication%20PIN);id=%01;type=private;pin-value=1234" -cert "$T/card.pem" \
        -client_sigalgs RSA+SHA256 -sigalgs RSA+SHA256 -ign_eof \
        < <(printf 'GET / HTTP/1.0\r\n\r\n') >"$out.client" 2>&1 || rc=$?
    local deadline=$((SECONDS + 20))
    while kill -0 "$server" 2>/dev/null; do
        if ((SECONDS >= deadline)); then
            kill -TERM "$server" 2>/dev/null || true
            break
        fi
        sleep 0.05
    done
    wait "$server" 2>/dev/null || true
    return $rc
}

pcsc_start_pcscd

for date in 2025-01-15T10:00 2026-06-01T09:30 2030-03-01T14:00; do
    day=${date%%T*}
    serve_at "$date"

    # OpenSC binds it: the driver, the auth certificate, its key.
    name=$(opensc-tool -r 'Virtual PCD 00 00' -n 2>/dev/null)
    [[ "$name" == *jpki* ]] || pcsc_fail "$day: opensc-tool -n printed '$name', not jpki"
    pkcs15-tool --read-certificate 01 -o "$T/card.pem" >"$T/p15.out" 2>&1 || {
        cat "$T/p15.out" >&2
        pcsc_fail "$day: pkcs15-tool --read-certificate 01 failed"
    }
    pkcs11-tool --module "$PKCS11_MODULE" --list-objects >"$T/objects.out" 2>&1 || {
        cat "$T/objects.out" >&2
        pcsc_fail "$day: pkcs11-tool --list-objects failed"
    }
    grep -q 'Certificate Object; type = X.509 cert' "$T/objects.out" &&
        grep -q 'label: *User Authentication Certificate' "$T/objects.out" ||
        pcsc_fail "$day: pkcs11-tool lists no User Authentication Certificate"
    pkcs11-tool --module "$PKCS11_MODULE" --login --pin 1234 --list-objects --type privkey >"$T/keys.out" 2>&1 ||
        true
    grep -q 'Private Key Object; RSA' "$T/keys.out" && grep -q 'label: *User Authentication Key' "$T/keys.out" ||
        {
            cat "$T/keys.out" >&2
            pcsc_fail "$day: pkcs11-tool lists no User Authentication Key"
        }

    # The certificate is valid on that day (notBefore the issue day 00:00 JST = 30 days earlier), and it
    # verifies against the test CA at that date.
    issued=$(TZ=Asia/Tokyo date -d "$day - 30 days" +%Y-%m-%d)
    not_before=$(TZ=Asia/Tokyo date -d "$(openssl x509 -in "$T/card.pem" -noout -startdate | cut -d= -f2)" +%Y-%m-%dT%H:%M)
    [[ "$not_before" == "${issued}T00:00" ]] || pcsc_fail "$day: notBefore is $not_before JST, not ${issued}T00:00"
    "$MYNASIM" at "$date" -- openssl verify -x509_strict -purpose sslclient -CAfile "$CA" "$T/card.pem" \
        >"$T/verify.out" 2>&1 || {
        cat "$T/verify.out" >&2
        pcsc_fail "$day: openssl verify refuses the card's certificate at that date"
    }

    # A server certificate for that date (the client does not check it: the test is the client's auth).
    "$MYNASIM" at "$date" -- openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/server.key" \
        -out "$T/server.pem" -days 2 -subj "/CN=127.0.0.1" >/dev/null 2>&1 || pcsc_fail "$day: no server certificate"

    handshake_at "$date" "$T/tls-$day" || {
        cat "$T/tls-$day.client" "$T/tls-$day.server" >&2
        pcsc_fail "$day: the TLS 1.2 client-auth handshake failed"
    }
    cn=$(openssl x509 -in "$T/card.pem" -noout -subject -nameopt multiline | awk '/commonName/{print $3}')
    grep -q "^depth=0 .*CN = $cn\$" "$T/tls-$day.server" ||
        pcsc_fail "$day: s_server did not verify the card's certificate (CN $cn)"
    grep -q "Subject: .*CN=$cn\$" "$T/tls-$day.client" ||
        pcsc_fail "$day: the session's page shows no client certificate with CN $cn"
    grep -q '^ *Protocol *: TLSv1.2$' "$T/tls-$day.client" || pcsc_fail "$day: the handshake was not TLS 1.2"
    pcsc_log "ok: $day: OpenSC binds the default card, its certificate (from $issued) verifies, TLS 1.2 client auth by the card succeeds"
done

# The control: the fixed-date card, whose certificates ended on 2026-04-01, at the last date is refused.
serve_at 2030-03-01T14:00 --profile "$DATA/cards/issued_2021.yaml"
pkcs15-tool --read-certificate 01 -o "$T/card.pem" >/dev/null 2>&1 || pcsc_fail "control: cannot read the certificate"
if handshake_at 2030-03-01T14:00 "$T/tls-control" && ! grep -qi 'alert\|error' "$T/tls-control.server"; then
    pcsc_fail "control: the expired card's handshake succeeded"
fi
grep -qi 'certificate has expired\|expired' "$T/tls-control.server" "$T/tls-control.client" || {
    cat "$T/tls-control.client" "$T/tls-control.server" >&2
    pcsc_fail "control: refused, but not for the certificate's date"
}
pcsc_log "ok: control: the card whose certificates ended on 2026-04-01 is refused on 2030-03-01 (certificate has expired)"

pcsc_stop_serve
pcsc_log "PASS"
