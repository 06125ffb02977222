# Sourced by stack.sh: a second dockerd with the classic image store
# (containerd snapshotter off), as on a GitHub-hosted runner without
# setup-buildx. Everything of its own: data-root, exec-root, socket, pidfile,
# bridge, containerd namespaces, and a daemon.json that is not
# /etc/docker/daemon.json (that one turns the snapshotter on).
# Uses helpers and variables of stack.sh.

CLASSIC_DIR=$STACK_DIR/docker-classic
CLASSIC_CONFIG=$CLASSIC_DIR/daemon.json
CLASSIC_SOCK=/var/run/dpa-docker-classic.sock
CLASSIC_DOCKER_HOST=unix://$CLASSIC_SOCK
CLASSIC_DATA_ROOT=/var/lib/dpa-docker-classic
CLASSIC_EXEC_ROOT=/var/run/dpa-docker-classic
CLASSIC_DAEMON_PIDFILE=/var/run/dpa-docker-classic.pid
# Its own bridge: with `bridge: none` dockerd deletes docker0 (the first
# daemon's); with no bridge setting it would manage docker0 as well.
CLASSIC_BRIDGE=dpa-classic0
CLASSIC_BRIDGE_CIDR=172.31.254.1/24

classic_docker() { DOCKER_HOST=$CLASSIC_DOCKER_HOST docker "$@"; }

classic_answers() {
  timeout 10 env DOCKER_HOST="$CLASSIC_DOCKER_HOST" docker info --format '{{.ServerVersion}}' >/dev/null 2>&1
}

ensure_classic_bridge() {
  ensure_bridge "$CLASSIC_BRIDGE" "$CLASSIC_BRIDGE_CIDR"
}

# Sets CLASSIC_CONFIG_CHANGED=1 when daemon.json changed.
configure_classic_docker() {
  CLASSIC_CONFIG_CHANGED=0
  if write_if_changed "$CLASSIC_CONFIG" "{
  \"features\": { \"containerd-snapshotter\": false },
  \"hosts\": [\"$CLASSIC_DOCKER_HOST\"],
  \"data-root\": \"$CLASSIC_DATA_ROOT\",
  \"exec-root\": \"$CLASSIC_EXEC_ROOT\",
  \"pidfile\": \"$CLASSIC_DAEMON_PIDFILE\",
  \"bridge\": \"$CLASSIC_BRIDGE\",
  \"iptables\": false,
  \"ip-masq\": false,
  \"containerd-namespace\": \"dpa-classic\",
  \"containerd-plugins-namespace\": \"dpa-classic-plugins\"
}"; then
    CLASSIC_CONFIG_CHANGED=1
  fi
}

start_classic_dockerd() {
  local pidfile=$RUN_DIR/docker-classic.pid logfile=$LOG_DIR/docker-classic.log pid
  if pid=$(live_pid "$pidfile" "$CLASSIC_CONFIG") && [[ $CLASSIC_CONFIG_CHANGED -eq 1 ]]; then
    log "classic dockerd config changed; restarting pid $pid"
    stop_pid "$pid" "classic dockerd"
  fi
  if classic_answers; then
    return 0
  fi
  if pid=$(live_pid "$pidfile" "$CLASSIC_CONFIG"); then
    die "classic dockerd (pid $pid) runs but does not answer; see $logfile"
  fi
  [[ ! -S $CLASSIC_SOCK ]] || rm -f "$CLASSIC_SOCK"
  clear_stale_pidfile "$CLASSIC_DAEMON_PIDFILE" dockerd
  clear_stale_pidfile "$CLASSIC_EXEC_ROOT/containerd/containerd.pid" containerd
  log "starting classic dockerd on $CLASSIC_DOCKER_HOST (log: $logfile)"
  setsid nohup dockerd --config-file "$CLASSIC_CONFIG" >>"$logfile" 2>&1 </dev/null 9>&- &
  pid=$!
  printf '%s\n' "$pid" >"$pidfile"
  await_ready "classic dockerd" "$pid" "$pidfile" "$logfile" "$DOCKERD_WAIT_SECONDS" classic_answers
  bound_build_records "classic dockerd" "$CLASSIC_DOCKER_HOST"
  STARTED+=("classic dockerd (pid $pid, $CLASSIC_DOCKER_HOST, log $logfile)")
}

verify_classic_store() {
  local driver_status
  driver_status=$(classic_docker info --format '{{.Driver}} {{json .DriverStatus}}')
  if grep -q 'io.containerd.snapshotter.v1' <<<"$driver_status"; then
    die "the classic dockerd uses the containerd image store (docker info: $driver_status); check $CLASSIC_CONFIG"
  fi
}

classic_status() {
  local pid
  if pid=$(live_pid "$RUN_DIR/docker-classic.pid" "$CLASSIC_CONFIG") && classic_answers; then
    echo "classic dockerd: running (pid $pid) on $CLASSIC_DOCKER_HOST, storage driver $(classic_docker info --format '{{.Driver}}'), log $LOG_DIR/docker-classic.log"
  else
    echo "classic dockerd: not running"
    return 1
  fi
  if classic_docker image inspect "$BASE_IMAGE" >/dev/null 2>&1; then
    echo "base image $BASE_IMAGE in the classic dockerd: present"
  else
    echo "base image $BASE_IMAGE in the classic dockerd: not available"
    return 1
  fi
}

stop_classic_dockerd() {
  local pid
  if pid=$(live_pid "$RUN_DIR/docker-classic.pid" "$CLASSIC_CONFIG"); then
    stop_pid "$pid" "classic dockerd"
    STOPPED+=("classic dockerd (pid $pid)")
  fi
  rm -f "$RUN_DIR/docker-classic.pid"
  if ip link show dev "$CLASSIC_BRIDGE" >/dev/null 2>&1; then
    ip link delete dev "$CLASSIC_BRIDGE" || log "WARNING: could not delete bridge $CLASSIC_BRIDGE"
  fi
}
