#!/bin/bash
# A --state file on a disk that breaks under the running card server: a tiny tmpfs filled to the last page,
# and the same tmpfs remounted read-only (root ignores permission bits, so chmod would prove nothing). Both in
# a private mount namespace (lib.sh pcsc_enter_namespace), so no mount is ever seen outside. The checks are
# in tearing.c's `fail` mode: 6581 for a wrong and a right VERIFY, no try moved, the server's exit status 1
# and its logged warning, and every try still there after the disk is mended and the server restarted.
source "$(dirname "$0")/lib.sh"
TEARING=${TEARING:?TEARING must name the built test_pcsc_tearing}
pcsc_enter_namespace "$@"
D="$PCSC_TMP/disk"
mkdir -p "$D"
mount -t tmpfs -o size=64k,mode=0700 tmpfs "$D" || pcsc_fail "cannot mount a tmpfs on $D"

# Full: dd stops at ENOSPC; the state file (37 bytes) and its directory entry exist from the start.
TMPDIR="$PCSC_TMP" "$TEARING" fail "$MYNASIM" "$D/card.state" \
    "dd if=/dev/zero of='$D/fill' bs=4096 >/dev/null 2>&1; test \$(df --output=avail '$D' | tail -1) -eq 0" \
    "rm -f '$D/fill'" || pcsc_fail "full disk"
pcsc_log "ok: full disk"

# Read-only: the remount makes every write fail with EROFS.
rm -f "$D/card.state"
TMPDIR="$PCSC_TMP" "$TEARING" fail "$MYNASIM" "$D/card.state" \
    "mount -o remount,ro '$D'" "mount -o remount,rw '$D'" || pcsc_fail "read-only disk"
pcsc_log "ok: read-only disk"

# A temporary that a kill left beside the state file is removed at the next start; a look-alike that is no
# card state is left alone.
printf 'MYNC' >"$D/.card.state.tmp-AbC123dEf456"
printf 'MY' >"$D/.card.state.tmp-Zz9Yy8Xx7Ww6"
printf 'keep me' >"$D/.card.state.tmp-KeepMeKeepMe"
printf 'MYNC' >"$D/card.state.tmpAbC123"
"$MYNASIM" card serve --vpcd 127.0.0.1:1 --state "$D/card.state" 2>"$PCSC_TMP/clean.log" &
SERVE_PID=$!
PCSC_PIDS+=("$SERVE_PID")
pcsc_wait_for 20 grep -q "removed 2 temporary state files" "$PCSC_TMP/clean.log" ||
    pcsc_fail "temporaries not reported removed: $(cat "$PCSC_TMP/clean.log")"
pcsc_stop_serve
[[ ! -e "$D/.card.state.tmp-AbC123dEf456" && ! -e "$D/.card.state.tmp-Zz9Yy8Xx7Ww6" ]] ||
    pcsc_fail "a temporary survived the start"
[[ -e "$D/.card.state.tmp-KeepMeKeepMe" ]] || pcsc_fail "a file that is no card state was removed"
[[ -e "$D/card.state.tmpAbC123" ]] || pcsc_fail "a file the writer never names so was removed"
pcsc_log "ok: temporaries left by a kill are removed at start, nothing else"
umount "$D"
pcsc_log "PASS"
