#!/usr/bin/env bash
# A policy file that is not complete is refused by `mynasim check` and `mynasim run` alike, as the scenario's
# `policy:` and as `run --policy`, with file:line:column and the parameter's name (sim/policy/policy.c; issue
# 16). Usage: refused_by_cli.sh MYNASIM DATA_DIR (sim/tests/policy/data).
set -uo pipefail
M=$1
DATA=$2
work=$(mktemp -d "${TMPDIR:-/tmp}/mynasim-policy-cli.XXXXXX")
trap 'rm -rf "$work"' EXIT
fail=0
cp "$DATA"/incomplete.yaml "$DATA"/mistyped.yaml "$DATA"/empty.yaml "$DATA"/late-start.yaml "$work"/
cp "$DATA"/../../../../docs/examples/lost-card.yaml "$work"/ok.yaml

# refused WANT ARGS...: mynasim ARGS exits non-zero and its stderr contains WANT
refused() {
  local want=$1
  shift
  "$M" "$@" >"$work/out" 2>"$work/err"
  local rc=$?
  if [ "$rc" = 0 ]; then
    echo "FAIL: mynasim $* exited 0" >&2
    fail=1
  elif ! grep -qF -- "$want" "$work/err"; then
    echo "FAIL: mynasim $* (exit $rc) did not say: $want" >&2
    cat "$work/err" >&2
    fail=1
  fi
}

for case in "incomplete.yaml:56:5:|'fees.revisit.interval_months'" "mistyped.yaml:19:14:|'certificate.lead_days'" \
  "empty.yaml:1:1:|'card.pin_tries.auth'" "late-start.yaml:28:25:|'online.cert_warning_months'"; do
  pos=${case%%|*}
  name=${case#*|}
  file=${pos%%:*}
  sed "s|^policy: national|policy: $file|" "$work/ok.yaml" >"$work/s-$file"
  for cmd in check run; do
    refused "$pos" $cmd "$work/s-$file"
    refused "$name" $cmd "$work/s-$file"
  done
  refused "$pos" run --policy "$work/$file" "$work/ok.yaml"
  refused "$name" run --policy "$work/$file" "$work/ok.yaml"
done
# the scenario itself still runs under a complete policy
"$M" run -q "$work/ok.yaml" >/dev/null 2>&1 || { echo "FAIL: the example does not pass" >&2; fail=1; }
[ $fail = 0 ] && echo "policy.refused_by_cli: every incomplete policy refused by check and run"
exit $fail
