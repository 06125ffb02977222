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

# Bundles stand-in source $1 into $2 with node_modules' esbuild; fails (1) when the bundle is the
# one kept, as write_if_changed does.
bundle_if_changed() {
  local source=$1 bundle=$2 new=$2.new.$$
  require_results_service_bundler
  mkdir -p "$(dirname "$bundle")"
  "$RESULTS_SERVICE_ESBUILD" "$source" --bundle --platform=node --format=esm \
    --target=node20 --log-level=warning --outfile="$new" >&2 \
    || die "esbuild could not bundle $source"
  if [[ -f $bundle ]] && cmp -s "$new" "$bundle"; then
    rm -f "$new"
    return 1
  fi
  mv -f "$new" "$bundle" || die "cannot write $bundle"
}

start_results_service() {
  # a restart ends its tenants
  start_daemon "the results service stand-in" results-service results-service/daemon.mjs \
    "$RESULTS_SERVICE_PORT" "${RESULTS_SERVICE_CHANGED:-0}" "$RESULTS_SERVICE_URL" \
    results_service_answers node "$(results_service_bundle)" "$REGISTRY_HOST" "$RESULTS_SERVICE_PORT"
}

results_service_up() {
  require_node
  bundle_if_changed "$RESULTS_SERVICE_SOURCE" "$(results_service_bundle)" \
    && RESULTS_SERVICE_CHANGED=1
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
