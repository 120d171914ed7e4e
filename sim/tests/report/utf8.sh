#!/bin/sh
# A scenario whose path is not valid UTF-8 (Linux allows any bytes but '/' and NUL): `run --report json`
# exits 0 with every expectation in a JSON document that parses and names the file with U+FFFD for the 0xFF
# byte; `--report junit` is well-formed XML (xmllint, else python3's parser: one of them must be there, this
# check is never skipped); the text report keeps the path's bytes as they are; errors carry one "report:"
# prefix, not two.
# The JSON comparison (`mynasim compare`) names the file with U+FFFD too.
# Usage: utf8.sh MYNASIM SCENARIO WORK_DIR
set -u
M=$1 S=$2 W=$3
rm -rf "$W"
mkdir -p "$W"
fail=0
bad=$(printf 'bad\377.yaml')
cp "$S" "$W/$bad" || exit 1
cd "$W" || exit 1 # reports name the file as given

"$M" run --quiet --report json "$bad" >out.json 2>err
rc=$?
[ "$rc" = 0 ] || { echo "FAIL: json report exited $rc"; cat err; fail=1; }
if command -v python3 >/dev/null 2>&1; then
    python3 - out.json <<'PY' || fail=1
import json, sys
doc = json.load(open(sys.argv[1], encoding="utf-8"))  # strict: invalid UTF-8 raises
runs = doc["runs"]
assert len(runs) == 1, runs
assert runs[0]["file"] == "bad\ufffd.yaml", runs[0]["file"]
ex = runs[0]["expectations"]
assert len(ex) > 0 and all(e["file"] == "bad\ufffd.yaml" for e in ex), ex
assert runs[0]["summary"]["expectations"] == len(ex), (runs[0]["summary"], len(ex))
PY
elif command -v jq >/dev/null 2>&1; then
    [ "$(jq -r '.runs[0].file' out.json)" = "$(printf 'bad\357\277\275.yaml')" ] || {
        echo "FAIL: the JSON report does not name the file with U+FFFD"
        fail=1
    }
else
    echo "FAIL: neither python3 nor jq is installed to parse the JSON report"
    fail=1
fi
grep -q "$(printf 'bad\357\277\275.yaml')" out.json || { echo "FAIL: no U+FFFD in the JSON report"; fail=1; }

"$M" run --quiet --report junit "$bad" >out.xml 2>err
rc=$?
[ "$rc" = 0 ] || { echo "FAIL: junit report exited $rc"; cat err; fail=1; }
if command -v xmllint >/dev/null 2>&1; then
    xmllint --noout out.xml || { echo "FAIL: xmllint rejects the JUnit report"; fail=1; }
elif command -v python3 >/dev/null 2>&1; then
    python3 -c 'import sys, xml.dom.minidom; xml.dom.minidom.parse(sys.argv[1])' out.xml ||
        { echo "FAIL: python3 rejects the JUnit report"; fail=1; }
else
    echo "FAIL: neither xmllint nor python3 is installed to parse the JUnit report"
    fail=1
fi
grep -q "file=\"$(printf 'bad\357\277\275.yaml')\"" out.xml || { echo "FAIL: no U+FFFD file in the JUnit report"; fail=1; }

# the JSON comparison names the file the same way
"$M" compare --quiet --policy national --policy as-announced-2024 --report json "$bad" >cmp.json 2>err
rc=$?
[ "$rc" = 0 ] || { echo "FAIL: json comparison exited $rc"; cat err; fail=1; }
if command -v python3 >/dev/null 2>&1; then
    python3 -c 'import json, sys
doc = json.load(open(sys.argv[1], encoding="utf-8"))
assert [f["file"] for f in doc["files"]] == ["bad\ufffd.yaml"], doc["files"]' cmp.json || fail=1
else
    grep -q "$(printf 'bad\357\277\275.yaml')" cmp.json || { echo "FAIL: no U+FFFD in the comparison"; fail=1; }
fi

# text is for people at a terminal: the path as given, byte for byte
"$M" run --quiet "$bad" >out.txt 2>err
rc=$?
[ "$rc" = 0 ] || { echo "FAIL: text report exited $rc"; cat err; fail=1; }
grep -q "($bad)" out.txt || { echo "FAIL: the text report does not name the file byte for byte"; fail=1; }

# a report that cannot be written: one "report:" prefix
"$M" run --quiet --report json "$bad" >/dev/full 2>err
rc=$?
[ "$rc" = 2 ] || { echo "FAIL: a full disk exited $rc, not 2"; fail=1; }
grep -qx 'mynasim: report: the JSON report could not be written' err || {
    echo "FAIL: the write error is not 'mynasim: report: the JSON report could not be written':"
    cat err
    fail=1
}
[ "$fail" = 0 ] && echo "ok: reports of a path that is not UTF-8"
exit "$fail"
