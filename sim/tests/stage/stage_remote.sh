#!/bin/bash
# The remote stage's visits (test_stage_remote) against a real card server: a private pcscd with vpcd serving
# `mynasim card serve --control`, whose control socket and reader the test gets in STAGE_CARD_CONTROL and
# STAGE_READER; the service is in the test's process. The served card must come back untouched.
# Usage: stage_remote.sh TEST_BINARY. Needs root (sim/tests/pcsc/lib.sh: own mount namespace); exits 77 otherwise.
LIB="$(cd "$(dirname "$0")/../pcsc" && pwd)/lib.sh"
TEST=${1:?usage: stage_remote.sh TEST_BINARY}
# shellcheck source=../pcsc/lib.sh
source "$LIB"
pcsc_enter_namespace "$@"
C=$PCSC_TMP/control

pcsc_start_pcscd
pcsc_start_serve --control "$C"
pcsc_wait_card
# Its PINs' tries and its profile (not whether pcscd has powered it down meanwhile, which idle time decides).
card_state() { pcsc_control_ok "$C" state | sed 's/ powered=[a-z]*//'; }
before=$(card_state)

rc=0
STAGE_CARD_CONTROL=$C STAGE_READER='Virtual PCD 00 00' TMPDIR=$PCSC_TMP "$TEST" || rc=$?
[[ $rc -eq 0 ]] || pcsc_fail "test_stage_remote exited $rc"

after=$(card_state)
[[ "$after" == "$before" ]] || pcsc_fail "the served card changed: before '$before', after '$after'"
pcsc_stop_serve
pcsc_log "PASS"
