#!/usr/bin/env bash
# ctest lint.links: ci/check-links passes on the source tree (every link and path-like reference of README.md and
# docs/ resolves inside the repository), and fails, naming file:line, on broken links and paths planted in a
# small tree of its own — while URLs, anchors, placeholders and paths outside the repository are not findings.
#
#   tests/lint/links.sh SOURCE_DIR WORK_DIR
set -uo pipefail
src=$1 work=$2
fail=0
bad() { echo "FAIL: $*"; fail=1; }
if out=$("$src/ci/check-links" "$src" 2>&1); then echo "source tree: $out"; else echo "$out"; bad "source tree"; fi
rm -rf "$work" && mkdir -p "$work/t/docs/examples" "$work/t/sim/report" "$work/t/scenarios"
t=$work/t
touch "$t/sim/report/json.c" "$t/docs/examples/lost-card.yaml" "$t/scenarios/a.yaml"
printf '# Rules\n' >"$t/docs/RULES.md"
cat >"$t/README.md" <<'MD'
# Readme
See [the rules](docs/RULES.md#amend-1), [gone](docs/GONE.md) and [the web](https://example.org/x.md).
Run `mynasim run scenarios/a.yaml` and `mynasim run scenarios/missing.yaml`.
MD
cat >"$t/docs/DESIGN.md" <<'MD'
# Design
[Rules](RULES.md), [up and out](../../etc/passwd), [an anchor](#design), ![a picture](screenshots/none.png)
`sim/report/json.c` and `sim/report/text.c`; `sim/<component>/`, `fixtures/policies/NAME.yaml`, `/tmp/x`,
build/sim/cli/mynasim, docs/examples/lost-card.yaml:29:5: an error, `fuzz/*/corpus`.
```
mynasim run docs/examples/nowhere.yaml
```
MD
out=$("$src/ci/check-links" "$t" 2>&1); rc=$?
echo "$out"
[ $rc -eq 1 ] || bad "planted: exit $rc, expected 1"
for want in 'README.md:2: link docs/GONE.md does not resolve' \
  'README.md:3: path scenarios/missing.yaml does not resolve' \
  'docs/DESIGN.md:2: link ../../etc/passwd does not resolve' \
  'docs/DESIGN.md:2: link screenshots/none.png does not resolve' \
  'docs/DESIGN.md:3: path sim/report/text.c does not resolve' \
  'docs/DESIGN.md:6: path docs/examples/nowhere.yaml does not resolve'; do
  grep -qF -- "$want" <<<"$out" || bad "planted: no line with '$want'"
done
[ "$(grep -c '' <<<"$out")" -eq 6 ] || bad "planted: more findings than planted (URLs, anchors, placeholders are not findings)"
[ $fail -eq 0 ] && echo "lint.links: ok"
exit $fail
