#!/bin/sh
# The HTML report (`--report html`, sim/report/html.c) at the command line, without a browser (the browser
# test is tests/browser/report.py):
#  - everything from input files is escaped: `<script>` planted in a directory name, an expectation's name and
#    a scenario name (an invalid file: the reader's message quotes it) never appears as markup, and the page
#    holds no <script> element at all;
#  - failed expectations come first, each linking to an element of the page (its resident's timeline), with
#    its file:line;
#  - one timeline per named resident, event and visit marks with tooltips naming rule, outcome, route and fee;
#  - the key dates are the policy's: a scenario whose policy moves paper_card.latest_expiry shows the moved
#    date and not the shipped one;
#  - a population shows its four charts and one dot per published figure of its mix inside the period;
#  - the same input gives the same bytes (twice, and -j 2 against -j 1); compare writes HTML too.
# Usage: html.sh MYNASIM SOURCE_DIR WORK_DIR
set -u
M=$1 SRC=$2 W=$3
rm -rf "$W"
mkdir -p "$W"
fail=0
no() { echo "FAIL: $*"; fail=1; }

evil="$W/<script>alert(1)<script>"
mkdir -p "$evil"
cat >"$evil/lost.yaml" <<'EOF'
format: 2
scenario: lost-card-planted
period: {from: 2025-08-01, to: 2025-10-31}
insurers: [{id: aisho-nhi, kind: nhi, number: "112334"}]
clinics: [{id: clinic-a, reader: face}]
residents:
  - {id: r1, born: 1958-05-10, insurer: aisho-nhi, card: {issued: 2022-06-01}, registered: 2023-02-01,
     holds: [notice]}
events:
  - {date: 2025-08-20, who: r1, do: visit, clinic: clinic-a, kind: first}
  - {date: 2025-09-10, who: r1, do: lose_card}
  - {date: 2025-09-12, who: r1, do: apply_certificate, reason: A}
expect:
  - {date: 2025-09-11, who: r1, visit: clinic-a, bring: [notice], outcome: insured, route: lookup, rule: AMEND-1}
  - {name: "<script>alert('x')</script> & co", date: 2025-09-11, who: r1, holds: [card]}
EOF
printf 'format: 1\nscenario: "<script>alert(2)</script>"\nperiod: {from: 2025-08-01, to: 2025-10-31}\n' \
    >"$evil/invalid.yaml"

"$M" run -q --report html --out "$W/evil.html" "$evil" 2>"$W/evil.err"
rc=$?
[ "$rc" = 2 ] || no "a run with an invalid file exited $rc, expected 2"
grep -qi '<script' "$W/evil.html" && no "unescaped <script> in the report"
grep -q '&lt;script&gt;alert(1)&lt;script&gt;' "$W/evil.html" || no "the planted directory name is not shown escaped"
grep -q '&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; co' "$W/evil.html" ||
    no "the planted expectation name is not shown escaped"
grep -q 'Files that could not be run (1)' "$W/evil.html" || no "the invalid file is not listed"

python3 - "$W/evil.html" <<'PY' || fail=1
import sys
from html.parser import HTMLParser

class P(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids, self.hrefs, self.order, self.counts, self.titles, self.stack = set(), [], [], {}, [], []
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.add(a["id"])
        if tag == "a" and "href" in a:
            self.hrefs.append(a["href"])
        cls = a.get("class", "")
        for c in cls.split():
            self.counts[(tag, c)] = self.counts.get((tag, c), 0) + 1
        if a.get("id") == "failures" or (tag == "section" and "scenario" in cls.split()):
            self.order.append(a.get("id"))
        self.stack.append(tag)
    def handle_endtag(self, tag):
        if self.stack and self.stack[-1] == tag:
            self.stack.pop()
    def handle_data(self, data):
        if self.stack and self.stack[-1] == "title":
            self.titles.append(data)

p = P()
p.feed(open(sys.argv[1], encoding="utf-8").read())
bad = []
if p.order[:1] != ["failures"]:
    bad.append("failed expectations do not come first: %s" % p.order)
fails = p.counts.get(("li", "failure"), 0)
# the failed holds in the failures list, and again in the scenario's list
if fails != 2:
    bad.append("%d failure items, expected 2" % fails)
for h in p.hrefs:
    if h.startswith("#") and h[1:] not in p.ids:
        bad.append("link %s leads nowhere" % h)
if "#s1-r0" not in p.hrefs:
    bad.append("no link to r1's timeline (#s1-r0): %s" % p.hrefs)
if p.counts.get(("svg", "timeline"), 0) != 1:
    bad.append("expected one timeline")
visits = [t for t in p.titles if " visit clinic-a " in t]
if not visits or not all("outcome insured" in t and "route card" in t and "rule MYNA-1" in t and "fee 10 yen" in t
                         for t in visits):
    bad.append("a visit's tooltip lacks outcome, route, rule or fee: %s" % visits)
if not any("lose_card" in t for t in p.titles):
    bad.append("no event mark for lose_card")
if bad:
    print("FAIL: " + "\nFAIL: ".join(bad))
    sys.exit(1)
PY

# failures first, with file:line
grep -q "lost.yaml:14:5</code>" "$W/evil.html" || no "the failed expectation's file:line is not shown"

# the key dates are the policy's
cat >"$W/moved.yaml" <<'EOF'
policy: moved
extends: national
paper_card:
  latest_expiry: 2025-06-30
EOF
sed 's/^scenario: lost-card-planted/scenario: moved-policy\npolicy: moved.yaml/' "$evil/lost.yaml" >"$W/moved-scn.yaml"
sed -i 's/from: 2025-08-01/from: 2025-05-01/' "$W/moved-scn.yaml"
"$M" run -q --report html --out "$W/moved.html" "$W/moved-scn.yaml" 2>"$W/moved.err"
grep -q 'printed expiry (D-6): to 2025-06-30' "$W/moved.html" || { no "the moved key date is not drawn"; cat "$W/moved.err"; }
grep -q 'printed expiry (D-6): to 2025-07-31' "$W/moved.html" && no "the shipped key date is drawn for a policy that moved it"

# a population: its charts and the mix's published figures
"$M" run -q --report html --out "$W/pop.html" "$SRC/sim/tests/report/data/population.yaml" 2>"$W/pop.err" ||
    { no "population run failed"; cat "$W/pop.err"; }
for c in 'chart usage' 'chart days' 'chart rules' 'chart cards'; do
    grep -q "class=\"$c\"" "$W/pop.html" || no "population chart '$c' missing"
done
dots=$(grep -o 'class="published"' "$W/pop.html" | wc -l)
[ "$dots" = 9 ] || no "$dots published dots, expected 9 (the published months from 2024-12 to 2025-10)"
grep -q 'source: MHLW monthly figure' "$W/pop.html" || no "a published dot does not name its source"

# a population's residents with a gap day: drawn, at most 100, each linkable, the count said
cat >"$W/pop-gaps.yaml" <<'EOF2'
scenario: html-population-gaps
period: {from: 2024-12-01, to: 2025-12-31}
policy: as-announced-2024
seed: 1
population: {size: 80000, mix: national, insurers: generated}
EOF2
"$M" run -q --report html --out "$W/pop-gaps.html" "$W/pop-gaps.yaml" 2>"$W/pop-gaps.err"
found=$(sed -n 's/.*Residents with a gap day or a claim error: \([0-9]*\) (the first 100 drawn.*/\1/p' "$W/pop-gaps.html")
[ -n "$found" ] && [ "$found" -gt 100 ] || { no "a population with more than 100 residents with gaps does not say so ($found)"; cat "$W/pop-gaps.err"; }
drawn=$(grep -o 'id="s0-p[0-9]*"' "$W/pop-gaps.html" | sort -u | wc -l)
[ "$drawn" = 100 ] || no "$drawn population timelines drawn, expected 100"

# byte-identical
lib="$SRC/scenarios"
"$M" run -q --report html --out "$W/a.html" "$lib" || no "library run failed"
"$M" run -q -j 2 --report html --out "$W/b.html" "$lib" || no "library run -j 2 failed"
cmp -s "$W/a.html" "$W/b.html" || no "-j 2 differs from -j 1"
"$M" run -q --report html --out "$W/c.html" "$lib"
cmp -s "$W/a.html" "$W/c.html" || no "two runs differ"

# compare
"$M" compare -q --policy national --policy as-announced-2024 --report html --out "$W/cmp.html" "$evil/lost.yaml" ||
    no "compare --report html failed"
grep -qi '<script' "$W/cmp.html" && no "unescaped <script> in the comparison"
grep -q 'class="timeline compare"' "$W/cmp.html" || no "the comparison shows no differing resident"
grep -q '<h2>Total: 1 file, 1 resident</h2>' "$W/cmp.html" || no "the comparison's totals are missing"
for side in a b; do # the differing resident's whole timeline under each policy
    grep -q "<div class=\"timeline\" id=\"c0-r0-$side\">" "$W/cmp.html" || no "no whole timeline under policy $side"
done
grep -q '<h3>resident r1 under as-announced-2024: gap days 9,' "$W/cmp.html" ||
    no "the timeline under as-announced-2024 does not show its 9 gap days"

[ $fail = 0 ] && echo "html: all checks passed"
exit $fail
