#!/usr/bin/env bash
# ctest lint.includes: ci/check-includes passes on the source tree, and fails, naming file:line, on upward,
# sideways and internal includes planted in a small tree of its own (so the test shows the check failing).
#
#   tests/lint/includes.sh SOURCE_DIR WORK_DIR [tree|planted|all]
set -uo pipefail
src=$1 work=$2 what=${3:-all}
check=$src/ci/check-includes
fail=0
bad() { echo "FAIL: $*"; fail=1; }

if [ "$what" != planted ]; then
  if out=$("$check" "$src" 2>&1); then
    echo "source tree: $out"
  else
    echo "$out"
    bad "ci/check-includes finds upward includes in the source tree (above)"
  fi
fi

if [ "$what" != tree ]; then
  rm -rf "$work" && mkdir -p "$work"
  t=$work/tree
  mk() { mkdir -p "$(dirname "$t/$1")" && printf '%s\n' "${@:2}" >"$t/$1"; }
  # A tree that keeps the order: the check must pass on it.
  mk sim/card/card.h '#include "core/core.h"' '#include "iso7816/iso7816.h"'
  mk sim/world/world.h '#include "stage/stage.h"' '#include "scenario/scenario.h"'
  mk sim/report/report.c '#include "world/world.h"' '#include "card/card.h"' '#include <stdio.h>'
  mk sim/tests/world/world_test.h '#include "world/world.h"'
  mk sim/tests/world/test_world.c '#include "world_test.h"' '#include "world/world_int.h"'
  if out=$("$check" "$t" 2>&1); then
    echo "planted, clean: $out"
  else
    echo "$out"; bad "the check refuses a tree that keeps the order"
  fi
  # Now plant what the order forbids.
  mk sim/card/x.c '/* a card that knows the world */' '#include "card/card.h"' '#include "world/world.h"'
  mk sim/world/y.c '#include "world/world.h"' '#include "pcsc/pcsc.h"' '#include "stage/stage_int.h"'
  mk sim/eligibility/z.c '#include "card/card.h"'
  mk sim/tests/scenario/test_up.c '#include "scenario/scenario.h"' '#include "../../world/world.h"'
  mk sim/replay/r.c '#include "terminal/terminal.h"'
  mk sim/gadget/g.c '#include "core/core.h"'
  out=$("$check" "$t" 2>&1); rc=$?
  echo "$out"
  [ $rc -eq 1 ] || bad "planted includes: exit $rc, expected 1"
  expect() { grep -qF -- "$1" <<<"$out" || bad "planted includes: no line with '$1'"; }
  expect 'sim/card/x.c:3: card includes world/world.h, which is above it (order: world → '
  expect 'sim/world/y.c:2: world includes pcsc/pcsc.h, which world may not include directly'
  expect 'sim/world/y.c:3: world includes stage/stage_int.h, the internal header of stage'
  expect 'sim/eligibility/z.c:1: eligibility includes card/card.h, which is not below it'
  expect 'sim/tests/scenario/test_up.c:2: scenario includes ../../world/world.h, which is above it'
  expect 'sim/replay/r.c:1: replay includes terminal/terminal.h, which is not below it'
  expect 'sim/gadget: a directory the order does not place'
  n=$(grep -c '' <<<"$out")
  [ "$n" -eq 7 ] || bad "planted includes: $n lines, expected 7 (no more findings than planted)"
  grep -q 'sim/world/y.c:1:\|sim/card/x.c:2:\|report.c\|test_world.c' <<<"$out" && bad "a finding on an include that keeps the order"
fi
[ $fail -eq 0 ] && echo "lint.includes: ok"
exit $fail
