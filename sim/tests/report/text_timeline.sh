#!/usr/bin/env bash
# The text report's timelines on the scenario library (sim/report/text.c): no two consecutive range lines of a
# resident show the same thing (the world's ranges are merged where only what the line does not show changed),
# every grace range names the document AMEND-1's look-up used, and each resident's events and visits are listed
# under the range of their day — the lost card's loss and application under her grace days.
# Usage: text_timeline.sh MYNASIM SOURCE_DIR WORK_DIR
set -uo pipefail
M=$1 SRC=$2 W=$3
rm -rf "$W" && mkdir -p "$W"
fail=0
bad() { echo "FAIL: $*"; fail=1; }
cd "$SRC" || exit 1
"$M" run -q scenarios/ >"$W/library.txt" || bad "mynasim run scenarios/ exited $?"
# consecutive range lines of one resident that show the same (all but the dates)
awk '
  /^resident / { prev = ""; next }
  /^  [0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]\.\./ {
    shown = substr($0, 25)
    if (shown == prev) { print "unmerged: " $0; n++ }
    prev = shown; next
  }
  END { exit n > 0 }' "$W/library.txt" || bad "ranges that show the same are not merged"
grace=$(grep -cE '^  [0-9-]{10}\.\.[0-9-]{10}  grace ' "$W/library.txt")
named=$(grep -cE '^  [0-9-]{10}\.\.[0-9-]{10}  grace .* looked up by the (paper_card \(expired\)|notice)$' "$W/library.txt")
[ "$grace" -gt 0 ] || bad "no grace range in the library"
[ "$grace" -eq "$named" ] || bad "$grace grace ranges, $named name the document looked up"
"$M" run -q scenarios/nhi-card-lost-in-september-certificate-on-application.yaml >"$W/lost.txt"
want=$(cat <<'TXT'
  2025-09-10..2025-09-18  grace         kitamoto-nhi notice (degraded) [AMEND-1] looked up by the paper_card (expired)
      2025-09-10  lose_card [MYNA-6]: suspended
      2025-09-12  apply_certificate [CERT-5]: reason A
TXT
)
grep -qF -- "$want" "$W/lost.txt" || { bad "the lost card's grace range and its events"; sed -n '/^resident/,$p' "$W/lost.txt"; }
# a visit event under its range: the library's visits are listed with outcome, route and fee
grep -qE '^      [0-9-]{10}  visit [a-z0-9-]+: [a-z_]+ by route [a-z_]+, (fee \{total: [0-9]+, copay: [0-9]+\}|no fee charged)' \
  "$W/library.txt" || bad "no visit listed in a timeline"
[ $fail -eq 0 ] && echo "text_timeline.sh: ok ($grace grace ranges)"
exit $fail
