#!/usr/bin/env bash
# The files mynasim reads and writes, as a hostile tester meets them (docs/FILES.md): a FIFO given to every
# command that reads a file is refused at once with "PATH: not a regular file (a FIFO)"; --out onto a symlink
# or a FIFO is refused and leaves it as it was; a symlink planted at a guessable temporary name is never
# followed; two runs writing the same --out both succeed and leave one whole report; --out /dev/stdout writes
# to stdout; no temporary file is left behind; invalid UTF-8 on line 5 is reported at 5:column.
# `timeout` only guards against a hang (which fails the test); it is never what is asserted.
# Usage: files.sh MYNASIM SOURCE_DIR
set -uo pipefail
M=$1
SRC=$2
export MYNASIM_DATA_DIR=${MYNASIM_DATA_DIR:-$SRC/fixtures}
T=$(mktemp -d /tmp/mynasim-cli-files.XXXXXX)
trap 'rm -rf "$T"' EXIT
failed=0
fail() {
    echo "files.sh: FAIL: $*" >&2
    failed=1
}
S=$SRC/scenarios/copay-rates-by-age-and-income.yaml
[ -f "$S" ] || { echo "files.sh: $S missing" >&2; exit 2; }

# ---- a FIFO wherever a file is read ------------------------------------------------------------------
mkfifo "$T/f.yaml"
# refused RC_WANTED ARGS...: mynasim ARGS exits non-zero (not by the guard) and names the FIFO.
refused() {
    local rc=0
    timeout 30 "$M" "$@" >"$T/out" 2>"$T/err" </dev/null || rc=$?
    if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
        fail "mynasim $* hung on a FIFO"
    elif [ "$rc" = 0 ]; then
        fail "mynasim $* accepted a FIFO"
    elif ! grep -qF "$T/f.yaml: not a regular file (a FIFO)" "$T/err"; then
        fail "mynasim $*: stderr lacks the FIFO's message: $(head -c 300 "$T/err")"
    fi
}
refused check "$T/f.yaml"
refused run "$T/f.yaml"
refused run --policy "$T/f.yaml" "$S"
refused compare --policy national --policy as-announced-2024 "$T/f.yaml"
refused compare --policy national --policy "$T/f.yaml" "$S"
refused serve --listen 127.0.0.1:0 "$T/f.yaml"
refused card info --profile "$T/f.yaml"
refused card cert --profile "$T/f.yaml" --which auth
refused card client --profile "$T/f.yaml"
refused card serve --vpcd 127.0.0.1:1 --state "$T/f.yaml"
# The policy named once (not "f.yaml: f.yaml: ...").
timeout 30 "$M" run --policy "$T/f.yaml" "$S" >/dev/null 2>"$T/err"
[ "$(grep -o "$T/f.yaml" "$T/err" | wc -l)" = 1 ] || fail "run --policy FIFO names the path more than once: $(cat "$T/err")"

# ---- a missing file: one wording, "PATH: cannot open: No such file or directory", whatever the command --------
missing() {
    local rc=0
    timeout 30 "$M" "$@" >"$T/out" 2>"$T/err" </dev/null || rc=$?
    if [ "$rc" = 0 ] || [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
        fail "mynasim $* exited $rc on a missing file"
    elif ! grep -qF "$T/none.yaml: cannot open: No such file or directory" "$T/err"; then
        fail "mynasim $*: not the one wording for a missing file: $(head -c 300 "$T/err")"
    fi
}
missing check "$T/none.yaml"
missing run "$T/none.yaml"
missing run --policy "$T/none.yaml" "$S"
missing serve --listen 127.0.0.1:0 "$T/none.yaml"
missing card info --profile "$T/none.yaml"

# ---- --out -------------------------------------------------------------------------------------------
"$M" run --quiet --report json "$S" >"$T/ref.json" || fail "run to stdout failed"
# /dev/stdout is the stream the caller opened: a pipe here.
"$M" run --quiet --report json --out /dev/stdout "$S" | cat >"$T/piped.json"
cmp -s "$T/ref.json" "$T/piped.json" || fail "--out /dev/stdout (a pipe) differs from stdout"
"$M" run --quiet --report json --out /dev/stdout "$S" >"$T/redirected.json"
cmp -s "$T/ref.json" "$T/redirected.json" || fail "--out /dev/stdout (a file) differs from stdout"

# A symlink at the target: refused, the link and the file it names unchanged.
echo keep >"$T/victim"
ln -s victim "$T/link.json"
rc=0
"$M" run --quiet --report json --out "$T/link.json" "$S" 2>"$T/err" || rc=$?
[ "$rc" = 2 ] || fail "--out onto a symlink exited $rc, not 2"
grep -qF "$T/link.json: is a symbolic link to a regular file: not followed and not replaced" "$T/err" ||
    fail "--out onto a symlink: $(cat "$T/err")"
[ -L "$T/link.json" ] && [ "$(cat "$T/victim")" = keep ] || fail "--out replaced or followed a symlink"
# A FIFO at the target: refused at once (no reader would make the open wait).
mkfifo "$T/fifo.json"
rc=0
timeout 30 "$M" run --quiet --out "$T/fifo.json" "$S" 2>"$T/err" || rc=$?
[ "$rc" = 2 ] || fail "--out onto a FIFO exited $rc, not 2"
grep -qF "$T/fifo.json: is a FIFO: refused" "$T/err" || fail "--out onto a FIFO: $(cat "$T/err")"
[ -p "$T/fifo.json" ] || fail "--out replaced a FIFO"

# Symlinks planted at guessable temporary names (the old PATH.tmp, the new prefix): never followed.
mkdir "$T/p"
echo keep >"$T/p/victim"
for name in r.json.tmp .r.json.tmp .r.json.tmp-aaaaaaaaaaaa; do ln -s victim "$T/p/$name"; done
"$M" run --quiet --report json --out "$T/p/r.json" "$S" || fail "run with planted links failed"
cmp -s "$T/ref.json" "$T/p/r.json" || fail "the report beside planted links is not the report"
[ "$(cat "$T/p/victim")" = keep ] || fail "a planted symlink was followed"
[ "$(ls -A "$T/p" | wc -l)" = 5 ] || fail "left behind: $(ls -A "$T/p")"

# Two runs writing the same --out at once, three times: both succeed, the file is one whole report.
mkdir "$T/c"
for round in 1 2 3; do
    "$M" run --quiet --report json --out "$T/c/r.json" "$S" &
    a=$!
    "$M" run --quiet --report json --out "$T/c/r.json" "$S" &
    b=$!
    wait "$a" || fail "round $round: the first concurrent run failed"
    wait "$b" || fail "round $round: the second concurrent run failed"
    cmp -s "$T/ref.json" "$T/c/r.json" || fail "round $round: the report is not one whole report"
done
[ "$(ls -A "$T/c")" = r.json ] || fail "concurrent runs left behind: $(ls -A "$T/c")"
# compare --out goes through the same writer.
"$M" compare --quiet --policy national --policy as-announced-2024 --out "$T/c/cmp.txt" "$S" ||
    fail "compare --out failed"
[ -s "$T/c/cmp.txt" ] && [ "$(ls -A "$T/c" | wc -l)" = 2 ] || fail "compare --out: $(ls -A "$T/c")"

# ---- an encoding error names its line and column -------------------------------------------------------
printf 'format: 1\nscenario: x\ndescription: y\nseed: 1\npolicy: na\xfftional\n' >"$T/bad.yaml"
"$M" check "$T/bad.yaml" 2>"$T/err" >/dev/null
grep -qF "$T/bad.yaml:5:11: encoding error: invalid leading UTF-8 octet (byte 0xFF)" "$T/err" ||
    fail "invalid UTF-8 on line 5: $(cat "$T/err")"

# ---- the reader's limits (docs/SCENARIO-FORMAT.md, Limits) ------------------------------------------------
# One list over its limit at a time; each is one problem naming the field and the limit.
over() { # over FIELD COUNT: a file whose FIELD lists COUNT empty entries
    { printf 'format: 1\nscenario: big\n%s:\n' "$1"; yes '  - {}' | head -n "$2"; } >"$T/big.yaml"
    "$M" check "$T/big.yaml" >/dev/null 2>"$T/err"
    grep -qF "field '$1': $2 entries, more than the reader's limit of $(($2 - 1)) (docs/SCENARIO-FORMAT.md, Limits)" \
        "$T/err" || fail "$1 over its limit: $(head -c 300 "$T/err")"
}
over residents 100001
over clinics 10001
over insurers 10001
over events 1000001
truncate -s $((16 * 1024 * 1024 + 1)) "$T/huge.yaml"
"$M" check "$T/huge.yaml" >/dev/null 2>"$T/err"
grep -qF "$T/huge.yaml: file too large (16777217 bytes, limit 16777216)" "$T/err" ||
    fail "a file over 16 MiB: $(cat "$T/err")"

[ "$failed" = 0 ] && echo "files.sh: all passed"
exit "$failed"
