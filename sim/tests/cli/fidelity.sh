#!/bin/bash
# The two paths decide alike (docs/DESIGN.md): the scenario library's JSON report on the wire path (reception
# flow: APDUs to virtual cards, messages through the eligibility service, in process) must be byte-identical to
# the rules path's. Usage: fidelity.sh SCENARIO_DIR_OR_FILE...
set -u
: "${MYNASIM:?MYNASIM must name the mynasim binary}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$MYNASIM" run --quiet --fidelity rules --report json "$@" >"$tmp/rules.json"
rules_rc=$?
"$MYNASIM" run --quiet --fidelity wire --report json "$@" >"$tmp/wire.json"
wire_rc=$?
if [ "$rules_rc" -ne "$wire_rc" ]; then
    echo "exit status differs: rules $rules_rc, wire $wire_rc" >&2
    exit 1
fi
if [ "$rules_rc" -gt 1 ]; then
    echo "the run failed (exit $rules_rc)" >&2
    exit 1
fi
if ! cmp -s "$tmp/rules.json" "$tmp/wire.json"; then
    echo "the reports differ between --fidelity rules and --fidelity wire:" >&2
    diff -u "$tmp/rules.json" "$tmp/wire.json" | head -80 >&2
    exit 1
fi
echo "identical: $(wc -c <"$tmp/rules.json") bytes"
