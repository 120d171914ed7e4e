# server.sh: start a server a test drives, wait on its readiness, stop it by its pid. Sourced (not run) by
# sim/tests/eligibility/http.sh, sim/tests/terminal/cli.sh and sim/tests/terminal/session.sh; it sits with
# eligibility, the lowest component of the tests that source it (ci/layers). The sourcing script defines
# `fail MESSAGE` (prints and exits 1) before calling these; servers listen on loopback at a port they pick
# (port 0) and say so on stdout.
#
#   server_start OUT ERR CMD ARGS...   CMD in the background, stdout to OUT, stderr to ERR; its pid in server_pid
#   server_wait SECONDS WHAT CMD ARGS...
#                                      until CMD succeeds, polled every 50 ms; fails naming WHAT when the server
#                                      exits first or SECONDS pass (a bound, never a timed assertion)
#   server_stop                        SIGTERM to server_pid, waited for; its exit status in server_status
#   server_cleanup                     for the EXIT trap: stops a server still running, by its pid
server_pid=
server_status=

server_start() {
  local out=$1 err=$2
  shift 2
  "$@" >"$out" 2>"$err" &
  server_pid=$!
}

server_wait() {
  local seconds=$1 what=$2 end
  shift 2
  end=$(($(date +%s) + seconds))
  until "$@"; do
    kill -0 "$server_pid" 2>/dev/null || fail "the server exited before $what"
    [ "$(date +%s)" -lt "$end" ] || fail "no $what within $seconds s"
    sleep 0.05
  done
}

server_stop() {
  kill -TERM "$server_pid"
  server_status=0
  wait "$server_pid" || server_status=$?
  server_pid=
}

server_cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid"
    wait "$server_pid" || true
  fi
  server_pid=
}
