# Sourced by stack.sh: the stand-in of GitHub's results service (the artifact
# service v4 and the cache service v2 behind one ACTIONS_RESULTS_URL), written
# in TypeScript under test/support/results-service/ and bundled here with the
# esbuild of node_modules (so `npm ci` comes first) into
# $STACK_DIR/results-service/daemon.mjs, run by node on 127.0.0.1:5007. That
# port is the control API (tenants.ts): each test process asks it for a tenant,
# a results service of its own on a loopback port of its own (DPA_RESULTS_SERVICE).
# Uses helpers and variables of stack.sh.

RESULTS_SERVICE_PORT=5007
RESULTS_SERVICE_URL=http://$REGISTRY_HOST:$RESULTS_SERVICE_PORT
RESULTS_SERVICE_ROOT=$(cd "$STACK_SCRIPT_DIR/../.." && pwd)
RESULTS_SERVICE_SOURCE=$RESULTS_SERVICE_ROOT/test/support/results-service/daemon.ts
RESULTS_SERVICE_WAIT_SECONDS=20

results_service_dir() { printf '%s/results-service\n' "$STACK_DIR"; }
results_service_bundle() { printf '%s/daemon.mjs\n' "$(results_service_dir)"; }

results_service_answers() {
  [[ $(curl -s -o /dev/null -m 5 -w '%{http_code}' "$RESULTS_SERVICE_URL/health" || true) == 200 ]]
}

RESULTS_SERVICE_ESBUILD=$RESULTS_SERVICE_ROOT/node_modules/.bin/esbuild

# Called first by `up`, before minutes of installing: the bundle needs node_modules.
require_results_service_bundler() {
  [[ -x $RESULTS_SERVICE_ESBUILD ]] \
    || die "$RESULTS_SERVICE_ESBUILD missing: run 'npm ci' in $RESULTS_SERVICE_ROOT first, then '$0 up' (the stack's results service stand-in is bundled with that esbuild)"
}

# Bundles the daemon; sets RESULTS_SERVICE_CHANGED=1 when the bundle differs from the one kept.
bundle_results_service() {
  local esbuild=$RESULTS_SERVICE_ESBUILD bundle new
  require_results_service_bundler
  bundle=$(results_service_bundle)
  new=$bundle.new.$$
  mkdir -p "$(results_service_dir)"
  "$esbuild" "$RESULTS_SERVICE_SOURCE" --bundle --platform=node --format=esm \
    --target=node20 --log-level=warning --outfile="$new" >&2 \
    || die "esbuild could not bundle $RESULTS_SERVICE_SOURCE"
  if [[ -f $bundle ]] && cmp -s "$new" "$bundle"; then
    rm -f "$new"
    return 0
  fi
  mv -f "$new" "$bundle" || die "cannot write $bundle"
  RESULTS_SERVICE_CHANGED=1
}

start_results_service() {
  local pidfile=$RUN_DIR/results-service.pid logfile=$LOG_DIR/results-service.log pid listeners
  if pid=$(live_pid "$pidfile" results-service/daemon.mjs) && [[ ${RESULTS_SERVICE_CHANGED:-0} -eq 1 ]]; then
    log "the results service stand-in changed; restarting pid $pid (its tenants end)"
    stop_pid "$pid" "results service stand-in"
  fi
  if pid=$(live_pid "$pidfile" results-service/daemon.mjs); then
    results_service_answers && return 0
    die "results service stand-in (pid $pid) runs but GET /health is not 200; see $logfile"
  fi
  listeners=$(listeners_on_port "$RESULTS_SERVICE_PORT")
  [[ -z $listeners ]] || die "port $RESULTS_SERVICE_PORT is taken by something this script did not start:
$listeners"
  log "starting the results service stand-in on $RESULTS_SERVICE_URL (log: $logfile)"
  setsid nohup node "$(results_service_bundle)" "$REGISTRY_HOST" "$RESULTS_SERVICE_PORT" \
    >>"$logfile" 2>&1 </dev/null 9>&- &
  pid=$!
  printf '%s\n' "$pid" >"$pidfile"
  await_ready "the results service stand-in" "$pid" "$pidfile" "$logfile" \
    "$RESULTS_SERVICE_WAIT_SECONDS" results_service_answers
  STARTED+=("results service stand-in (pid $pid, $RESULTS_SERVICE_URL, log $logfile)")
}

results_service_up() {
  require_node
  bundle_results_service
  start_results_service
}

results_service_status() {
  local pid
  if pid=$(live_pid "$RUN_DIR/results-service.pid" results-service/daemon.mjs) && results_service_answers; then
    echo "results service stand-in: running (pid $pid) on $RESULTS_SERVICE_URL, log $LOG_DIR/results-service.log"
  else
    echo "results service stand-in: not running"
    return 1
  fi
}

stop_results_service() {
  stop_started results-service:results-service/daemon.mjs
}

results_service_env() {
  printf 'export DPA_RESULTS_SERVICE=%s\n' "$RESULTS_SERVICE_URL"
}
