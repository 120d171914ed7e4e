#!/usr/bin/env bash
# --out onto a character device is written through, never replaced (docs/FILES.md): before the one writer,
# `--out /dev/null` run as root replaced the device with a regular file. Run inside a private mount namespace
# (unshare -m) over a tmpfs mounted on /dev there, with its own null device (mknod c 1 3), so the real /dev is
# never touched. Exits 77 (skipped) when not root or when the namespace, the tmpfs or mknod is not permitted.
# Usage: files_device.sh MYNASIM SOURCE_DIR
set -uo pipefail
M=$1
SRC=$2
export MYNASIM_DATA_DIR=${MYNASIM_DATA_DIR:-$SRC/fixtures}
S=$SRC/scenarios/copay-rates-by-age-and-income.yaml
[ "$(id -u)" = 0 ] || { echo "files_device.sh: not root: skipped"; exit 77; }
command -v unshare >/dev/null || { echo "files_device.sh: no unshare: skipped"; exit 77; }
unshare -m --propagation private true 2>/dev/null || { echo "files_device.sh: unshare -m not permitted: skipped"; exit 77; }
export M S
unshare -m --propagation private bash -uo pipefail -c '
    # (no 2>/dev/null here: it would create /dev/null as a regular file before mknod)
    mount -t tmpfs mynasim-dev /dev && mknod -m 666 /dev/null c 1 3 || exit 77
    ln -s /proc/self/fd /dev/fd && ln -s /proc/self/fd/1 /dev/stdout && ln -s null /dev/nulllink
    failed=0
    fail() { echo "files_device.sh: FAIL: $*" >&2; failed=1; }
    for out in /dev/null /dev/nulllink; do
        "$M" run --quiet --report json --out "$out" "$S" || fail "run --out $out failed"
        "$M" compare --quiet --policy national --policy as-announced-2024 --out "$out" "$S" ||
            fail "compare --out $out failed"
        "$M" run --quiet --detail --out "$out" "$S" 2>/dev/null || fail "run --detail --out $out failed"
    done
    [ -c /dev/null ] && [ ! -L /dev/null ] || fail "/dev/null is no longer a character device: $(ls -l /dev/null)"
    [ -L /dev/nulllink ] || fail "the link to the device was replaced"
    [ -z "$(head -c 1 /dev/null)" ] || fail "/dev/null holds data"
    [ "$(ls -A /dev | sort | tr "\n" " ")" = "fd null nulllink stdout " ] || fail "left in /dev: $(ls -A /dev)"
    # The device file is never created: a device that is gone is an error, not a new regular file.
    rm /dev/null
    ln -s null /dev/dangling
    rc=0
    err=$("$M" run --quiet --out /dev/dangling "$S" 2>&1) || rc=$?
    [ "$rc" = 2 ] && [ ! -e /dev/null ] || fail "--out through a link to a missing device created it (rc $rc)"
    case $err in *"/dev/dangling: is a symbolic link to nothing"*) ;; *) fail "dangling link: $err" ;; esac
    exit "$failed"
'
rc=$?
[ "$rc" = 0 ] && echo "files_device.sh: all passed"
exit "$rc"
