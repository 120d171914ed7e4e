#!/usr/bin/env bash
# ctest lint.citations: ci/check-citations passes on the source tree, and fails, naming file:line, on citations
# of documents planted missing in a small tree of its own.
#
#   tests/lint/citations.sh SOURCE_DIR WORK_DIR
set -uo pipefail
src=$1 work=$2
fail=0
bad() { echo "FAIL: $*"; fail=1; }
if out=$("$src/ci/check-citations" "$src" 2>&1); then echo "source tree: $out"; else echo "$out"; bad "source tree"; fi
rm -rf "$work" && mkdir -p "$work/t/docs" "$work/t/sim/card" "$work/t/ci"
t=$work/t
printf '# Rules\n' >"$t/docs/RULES.md"
printf '# Design\nSee [RULES.md](RULES.md) and `../shared/STYLE.md`.\n' >"$t/docs/DESIGN.md"
printf '/* RULES.md holds it */\nconst char *s = "NOT-A-CITE.md";\n/* two\n * lines: GONE.md */\nint x; // docs/RULES.md\n' \
  >"$t/sim/card/card.c"
printf '#!/bin/sh\n# as SCENARIOS.md says\necho "README.md"\n' >"$t/ci/tool"
out=$("$src/ci/check-citations" "$t" 2>&1); rc=$?
echo "$out"
[ $rc -eq 1 ] || bad "planted: exit $rc, expected 1"
for want in 'docs/DESIGN.md:2: cites ../shared/STYLE.md' 'sim/card/card.c:4: cites GONE.md' 'ci/tool:2: cites SCENARIOS.md'; do
  grep -qF -- "$want" <<<"$out" || bad "planted: no line with '$want'"
done
[ "$(grep -c '' <<<"$out")" -eq 3 ] || bad "planted: more findings than planted (strings and found names are not findings)"
[ $fail -eq 0 ] && echo "lint.citations: ok"
exit $fail
