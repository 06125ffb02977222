# Sourced by stack.sh: the field engine, Docker 28.5 as the field runs it, beside
# the stack's 26.1 daemons. Debian sid's docker.io 28.5.2, containerd 2.1,
# runc 1.3, docker-cli and docker-buildx 0.29.1 are fetched with `apt-get
# download` (private apt setup, lib/private-apt.sh) and unpacked with `dpkg -x`
# into $STACK_DIR/field/root: the machine's packages are neither installed nor
# upgraded, and the 26.1 daemons keep running. sid's runc needs glibc 2.38
# (bookworm has 2.36): sid's libc6 and libseccomp2 are unpacked beside it and
# runc's ELF interpreter and RUNPATH point at them (patchelf, from bookworm);
# the unpatched binary stays as usr/sbin/runc.debian (for the BuildKit image,
# lib/buildkit.sh). Two dockerds run from it, each
# with its own config file, data-root, exec-root, socket, pidfile, bridge and
# containerd namespaces, iptables off:
#   - classic image store (containerd snapshotter off, as GitHub's runners):
#     unix:///var/run/dpa-docker28-classic.sock (DPA_FIELD_CLASSIC_DOCKER_HOST);
#   - containerd image store (snapshotter on, Docker 29's default):
#     unix:///var/run/dpa-docker28-containerd.sock (DPA_FIELD_CONTAINERD_DOCKER_HOST).
# Each gets local/busybox:latest. For the 28.5 client: $STACK_DIR/field/bin holds
# `docker` (DPA_FIELD_BIN) and $STACK_DIR/field/cli-plugins `docker-buildx` 0.29.1
# (DPA_FIELD_CLI_PLUGINS); $STACK_DIR/field/docker-config is a DOCKER_CONFIG whose
# cliPluginsExtraDirs names that folder (the stack's own calls use it).
#
# Docker 29.4.2 + buildx 0.36.1, as GitHub's ubuntu-latest (Ubuntu 26.04) ships them:
# Debian has no Docker 29, so they come from ../shared/field29 (built from the upstream
# tags; its README says how), unpacked into $STACK_DIR/field29/root after each binary's
# sha256 is checked against FIELD29_SHA256 below. They run with the same sid containerd,
# runc and docker-init as 28.5 (the field29 README asks for those), as two more dockerds:
# the containerd store (no image-store setting: Docker 29's default, as on the runner) on
# unix:///var/run/dpa-docker29-containerd.sock and the classic store on
# unix:///var/run/dpa-docker29-classic.sock (DPA_FIELD29_*; the 29 client in
# $STACK_DIR/field29/bin, buildx 0.36.1 in $STACK_DIR/field29/cli-plugins). Without the
# tarball the stack says so in one line and runs no 29 engine; the tests skip those rows.
# Uses helpers and variables of stack.sh.

FIELD_SUITE=sid
FIELD_DIR=$STACK_DIR/field
FIELD_ROOT=$FIELD_DIR/root
FIELD_BIN=$FIELD_DIR/bin
FIELD_CLI_PLUGINS=$FIELD_DIR/cli-plugins
FIELD_DOCKER_CONFIG=$FIELD_DIR/docker-config
# Written after a complete unpack: "package version" lines.
FIELD_STAMP=$FIELD_ROOT/.dpa-packages
# package => the upstream version (or series) the field engine is meant to be
declare -A FIELD_PACKAGES=([docker.io]=28.5.2 [docker-cli]=28.5.2 [docker-buildx]=0.29.1 [containerd]=2.1 [runc]=1.3)
# what sid's runc links against (any version)
FIELD_LIB_PACKAGES=(libc6 libseccomp2)
FIELD_LIB_DIR=$FIELD_ROOT/usr/lib/x86_64-linux-gnu
# dockerd finds sid's containerd, containerd-shim-runc-v2, runc and docker-proxy first.
FIELD_PATH=$FIELD_ROOT/usr/sbin:$FIELD_ROOT/usr/bin:$FIELD_ROOT/usr/libexec/docker:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

FIELD29_DIR=$STACK_DIR/field29
FIELD29_ROOT=$FIELD29_DIR/root
FIELD29_BIN=$FIELD29_DIR/bin
FIELD29_CLI_PLUGINS=$FIELD29_DIR/cli-plugins
FIELD29_DOCKER_CONFIG=$FIELD29_DIR/docker-config
FIELD29_TARBALL_NAME=docker-29.4.2-buildx-0.36.1-linux-amd64.tar.xz
# DPA_FIELD29_DIR where set; else ../shared/field29 beside the checkout, else the workplace's
# /work/shared/field29 (a clone made elsewhere, as CI's).
field29_source() {
  local dir
  if [[ -n ${DPA_FIELD29_DIR:-} ]]; then
    echo "$DPA_FIELD29_DIR"
    return 0
  fi
  for dir in "$(cd "$STACK_SCRIPT_DIR/../../.." && pwd)/shared/field29" /work/shared/field29; do
    [[ -f $dir/$FIELD29_TARBALL_NAME ]] && { echo "$dir"; return 0; }
  done
  echo ../shared/field29
}
FIELD29_SOURCE=$(field29_source)
# The binaries' sha256, from ../shared/field29/README.md (checked at every unpack).
declare -A FIELD29_SHA256=(
  [usr/sbin/dockerd]=3f627831958bbe36377150247cb7d4fcd6b4a367c7841d9bf01723943356159c
  [usr/bin/docker-proxy]=f6eb2037985e415b289dedf7976861662d9cd19921cb574da745156f42cb1423
  [usr/bin/docker]=026afa3925687842b286ae8d90b2598d881ba39705739c13ade9d7ad0c3153df
  [usr/libexec/docker/cli-plugins/docker-buildx]=0759a69df5b5b0e3a652c938ddd89dfdd8b21c7a3a85ec2bca532f127ba119d0
)
# 29's dockerd and docker-proxy first, then the sid containerd, runc and docker-init of 28.5.
FIELD29_PATH=$FIELD29_ROOT/usr/sbin:$FIELD29_ROOT/usr/bin:$FIELD_PATH

# The field's engines: 28.5 on each store, and 29.4 on each store where ../shared/field29 is.
FIELD_ENGINES=(classic containerd)
declare -A FIELD_VERSION=([classic]=28 [containerd]=28 [29-classic]=29 [29-containerd]=29)
declare -A FIELD_SNAPSHOTTER=([classic]=false [containerd]=true [29-classic]=false [29-containerd]=true)
# Own bridges (never `bridge: none`: dockerd would delete docker0).
declare -A FIELD_BRIDGE=([classic]=dpa28-classic0 [containerd]=dpa28-ctrd0 [29-classic]=dpa29-classic0 [29-containerd]=dpa29-ctrd0)
declare -A FIELD_BRIDGE_CIDR=([classic]=172.31.252.1/24 [containerd]=172.31.253.1/24
  [29-classic]=172.31.248.1/24 [29-containerd]=172.31.249.1/24)
declare -A FIELD_CONFIG_CHANGED=()
field29_present() { [[ -f $FIELD29_SOURCE/$FIELD29_TARBALL_NAME ]]; }
! field29_present || FIELD_ENGINES+=(29-classic 29-containerd)

# The store of engine $1 (classic or containerd), and its Docker's major version.
field_store() { printf '%s\n' "${1#29-}"; }
field_name() { printf 'dpa-docker%s-%s\n' "${FIELD_VERSION[$1]}" "$(field_store "$1")"; }
field_host() { printf 'unix:///var/run/%s.sock\n' "$(field_name "$1")"; }
field_config() { printf '%s/%s/daemon.json\n' "$FIELD_DIR" "$1"; }
field_pidfile() { printf '%s/docker%s-%s.pid\n' "$RUN_DIR" "${FIELD_VERSION[$1]}" "$(field_store "$1")"; }
field_log() { printf '%s/docker%s-%s.log\n' "$LOG_DIR" "${FIELD_VERSION[$1]}" "$(field_store "$1")"; }
field_root() { if [[ ${FIELD_VERSION[$1]} == 29 ]]; then echo "$FIELD29_ROOT"; else echo "$FIELD_ROOT"; fi; }
field_path() { if [[ ${FIELD_VERSION[$1]} == 29 ]]; then echo "$FIELD29_PATH"; else echo "$FIELD_PATH"; fi; }
field_cli() { if [[ ${FIELD_VERSION[$1]} == 29 ]]; then echo "$FIELD29_BIN/docker"; else echo "$FIELD_BIN/docker"; fi; }
field_cli_config() {
  if [[ ${FIELD_VERSION[$1]} == 29 ]]; then echo "$FIELD29_DOCKER_CONFIG"; else echo "$FIELD_DOCKER_CONFIG"; fi
}

# field_docker ENGINE ARGS...: that engine's own CLI (and buildx) against it.
field_docker() {
  local engine=$1
  shift
  DOCKER_HOST=$(field_host "$engine") DOCKER_CONFIG=$(field_cli_config "$engine") "$(field_cli "$engine")" "$@"
}

# Asks the engine's /info once and keeps "version<TAB>driver<TAB>driver status"
# in FIELD_INFO[engine] for the checks and the summary (each CLI call costs).
declare -A FIELD_INFO=()
field_answers() {
  local info
  info=$(timeout 10 env DOCKER_HOST="$(field_host "$1")" DOCKER_CONFIG="$(field_cli_config "$1")" \
    "$(field_cli "$1")" info --format '{{.ServerVersion}}	{{.Driver}}	{{json .DriverStatus}}' 2>/dev/null) || return 1
  [[ -n $info ]] || return 1
  FIELD_INFO[$1]=$info
}

# field_info ENGINE FIELD: 1 the engine's version, 2 its storage driver, 3 the driver status.
field_info() {
  [[ -n ${FIELD_INFO[$1]:-} ]] || field_answers "$1" || return 1
  cut -f "$2" <<<"${FIELD_INFO[$1]}"
}

# Upstream version of Debian version $1 (epoch and revision stripped) is $2 or in series $2.
version_in_series() {
  local upstream=${1#*:}
  upstream=${upstream%%[+~-]*}
  [[ $upstream == "$2" || $upstream == "$2".* ]]
}

field_installed() {
  [[ -s $FIELD_STAMP && -x $FIELD_ROOT/usr/sbin/dockerd && -x $FIELD_ROOT/usr/bin/docker \
    && -x $FIELD_ROOT/usr/bin/containerd && -x $FIELD_ROOT/usr/sbin/runc \
    && -x $FIELD_ROOT/usr/sbin/runc.debian \
    && -x $FIELD_ROOT/usr/libexec/docker/cli-plugins/docker-buildx ]]
}

# sid's runc on bookworm's glibc: `version GLIBC_2.38 not found`. A wrapper that
# starts it through sid's ld.so would not do: runc re-executes /proc/self/exe.
patch_field_runc() {
  local root=$1 runc=$1/usr/sbin/runc
  command -v patchelf >/dev/null 2>&1 || die "patchelf not found (DEFAULT_SUITE_PACKAGES installs it)"
  [[ -x $root/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2 ]] || die "sid's libc6 lacks usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2"
  cp -p "$runc" "$runc.debian"
  # The final paths: $root is renamed to $FIELD_ROOT afterwards.
  patchelf --set-interpreter "$FIELD_LIB_DIR/ld-linux-x86-64.so.2" --set-rpath "$FIELD_LIB_DIR" "$runc" \
    || die "patchelf could not point $runc at sid's glibc"
}

# Downloads and unpacks the sid packages unless a complete unpack is there.
install_field_docker() {
  local pkg version debs stamp="" wanted=()
  field_installed && return 0
  private_apt_update "$FIELD_SUITE"
  for pkg in "${!FIELD_PACKAGES[@]}"; do
    version=$(private_apt_version "$FIELD_SUITE" "$pkg")
    [[ -n $version ]] || die "package $pkg not found in $FIELD_SUITE"
    version_in_series "$version" "${FIELD_PACKAGES[$pkg]}" \
      || die "$pkg in $FIELD_SUITE is $version, the field engine wants ${FIELD_PACKAGES[$pkg]} (update FIELD_PACKAGES in lib/field-docker.sh)"
    stamp+="$pkg $version"$'\n'
    wanted+=("$pkg/$FIELD_SUITE")
  done
  for pkg in "${FIELD_LIB_PACKAGES[@]}"; do
    version=$(private_apt_version "$FIELD_SUITE" "$pkg")
    [[ -n $version ]] || die "package $pkg not found in $FIELD_SUITE"
    stamp+="$pkg $version"$'\n'
    wanted+=("$pkg/$FIELD_SUITE")
  done
  debs=$FIELD_DIR/debs
  rm -rf "$debs" "$FIELD_ROOT.new"
  mkdir -p "$debs"
  log "downloading ${wanted[*]} into $debs (apt-get download; nothing is installed)"
  (cd "$debs" && private_apt "$FIELD_SUITE" apt-get download "${wanted[@]}") \
    >>"$LOG_DIR/apt.log" 2>&1 || { log_tail "$LOG_DIR/apt.log"; die "apt-get download from $FIELD_SUITE failed"; }
  find "$debs" -name '*.deb' | unpack_debs "$FIELD_ROOT.new"
  patch_field_runc "$FIELD_ROOT.new"
  printf '%s' "$stamp" | sort >"$FIELD_ROOT.new/.dpa-packages"
  # Running daemons keep their (unlinked) binaries; the next start uses the new ones.
  rm -rf "$FIELD_ROOT"
  mv "$FIELD_ROOT.new" "$FIELD_ROOT"
  rm -rf "$debs"
  field_installed || die "the unpacked sid packages in $FIELD_ROOT lack dockerd, docker, containerd, runc or docker-buildx"
  "$FIELD_ROOT/usr/sbin/runc" --version >/dev/null || die "sid's runc does not start with sid's glibc ($FIELD_ROOT/usr/sbin/runc --version)"
  STARTED+=("field engine binaries in $FIELD_ROOT ($(tr '\n' ',' <"$FIELD_STAMP" | sed 's/,$//; s/,/, /g'))")
}

# bin/docker, cli-plugins/docker-buildx and a DOCKER_CONFIG that finds the plugin.
ensure_field_cli() {
  mkdir -p "$FIELD_BIN" "$FIELD_CLI_PLUGINS" "$FIELD_DOCKER_CONFIG"
  ln -sfn "$FIELD_ROOT/usr/bin/docker" "$FIELD_BIN/docker"
  ln -sfn "$FIELD_ROOT/usr/libexec/docker/cli-plugins/docker-buildx" "$FIELD_CLI_PLUGINS/docker-buildx"
  write_if_changed "$FIELD_DOCKER_CONFIG/config.json" "$(jq -n --arg dir "$FIELD_CLI_PLUGINS" '{cliPluginsExtraDirs: [$dir]}')" || true
}

field29_installed() {
  local file
  [[ -s $FIELD29_ROOT/.dpa-tarball ]] || return 1
  for file in "${!FIELD29_SHA256[@]}"; do [[ -x $FIELD29_ROOT/$file ]] || return 1; done
}

# Unpacks the tarball and checks each binary's sha256 before anything runs it.
install_field29() {
  local file sum new=$FIELD29_ROOT.new
  field29_installed && return 0
  rm -rf "$new"
  mkdir -p "$new"
  tar -xJf "$FIELD29_SOURCE/$FIELD29_TARBALL_NAME" -C "$new" || die "cannot unpack $FIELD29_SOURCE/$FIELD29_TARBALL_NAME"
  for file in "${!FIELD29_SHA256[@]}"; do
    sum=$(sha256sum "$new/$file" 2>/dev/null | cut -d' ' -f1)
    [[ $sum == "${FIELD29_SHA256[$file]}" ]] \
      || die "$file in $FIELD29_TARBALL_NAME has sha256 ${sum:-none}, ../shared/field29/README.md says ${FIELD29_SHA256[$file]}"
  done
  printf '%s\n' "$FIELD29_TARBALL_NAME" >"$new/.dpa-tarball"
  rm -rf "$FIELD29_ROOT"
  mv "$new" "$FIELD29_ROOT"
  STARTED+=("Docker 29.4.2 + buildx 0.36.1 in $FIELD29_ROOT (sha256 checked)")
}

ensure_field29_cli() {
  mkdir -p "$FIELD29_BIN" "$FIELD29_CLI_PLUGINS" "$FIELD29_DOCKER_CONFIG"
  ln -sfn "$FIELD29_ROOT/usr/bin/docker" "$FIELD29_BIN/docker"
  ln -sfn "$FIELD29_ROOT/usr/libexec/docker/cli-plugins/docker-buildx" "$FIELD29_CLI_PLUGINS/docker-buildx"
  write_if_changed "$FIELD29_DOCKER_CONFIG/config.json" "$(jq -n --arg dir "$FIELD29_CLI_PLUGINS" '{cliPluginsExtraDirs: [$dir]}')" || true
}

ensure_field_bridge() {
  ensure_bridge "${FIELD_BRIDGE[$1]}" "${FIELD_BRIDGE_CIDR[$1]}"
}

# Sets FIELD_CONFIG_CHANGED[engine]=1 when its daemon.json changed.
configure_field_docker() {
  local engine=$1 name features
  name=$(field_name "$engine")
  FIELD_CONFIG_CHANGED[$engine]=0
  # Docker 29's containerd store is its default: no setting, as on the runner.
  features="  \"features\": { \"containerd-snapshotter\": ${FIELD_SNAPSHOTTER[$engine]} },"
  [[ $engine != 29-containerd ]] || features=
  if write_if_changed "$(field_config "$engine")" "{${features:+$'\n'$features}
  \"hosts\": [\"$(field_host "$engine")\"],
  \"data-root\": \"/var/lib/$name\",
  \"exec-root\": \"/var/run/$name\",
  \"pidfile\": \"/var/run/$name.pid\",
  \"bridge\": \"${FIELD_BRIDGE[$engine]}\",
  \"iptables\": false,
  \"ip6tables\": false,
  \"ip-masq\": false,
  \"containerd-namespace\": \"$name\",
  \"containerd-plugins-namespace\": \"$name-plugins\"
}"; then
    FIELD_CONFIG_CHANGED[$engine]=1
  fi
}

start_field_dockerd() {
  local engine=$1 name config pidfile logfile sock pid
  name=$(field_name "$engine") config=$(field_config "$engine")
  pidfile=$(field_pidfile "$engine") logfile=$(field_log "$engine")
  sock=/var/run/$name.sock
  if pid=$(live_pid "$pidfile" "$config") && [[ ${FIELD_CONFIG_CHANGED[$engine]} -eq 1 ]]; then
    log "field dockerd ($engine) config changed; restarting pid $pid"
    stop_pid "$pid" "field dockerd ($engine)"
  fi
  if field_answers "$engine"; then
    return 0
  fi
  if pid=$(live_pid "$pidfile" "$config"); then
    die "field dockerd ($engine, pid $pid) runs but does not answer; see $logfile"
  fi
  [[ ! -S $sock ]] || rm -f "$sock"
  clear_stale_pidfile "/var/run/$name.pid" dockerd
  clear_stale_pidfile "/var/run/$name/containerd/containerd.pid" containerd
  log "starting field dockerd ${FIELD_VERSION[$engine]} ($(field_store "$engine") store) on $(field_host "$engine") (log: $logfile)"
  setsid nohup env PATH="$(field_path "$engine")" "$(field_root "$engine")/usr/sbin/dockerd" --config-file "$config" \
    >>"$logfile" 2>&1 </dev/null 9>&- &
  pid=$!
  printf '%s\n' "$pid" >"$pidfile"
  await_ready "field dockerd ($engine)" "$pid" "$pidfile" "$logfile" "$DOCKERD_WAIT_SECONDS" field_answers "$engine"
  bound_build_records "field dockerd ($engine)" "$(field_host "$engine")"
  STARTED+=("field dockerd ${FIELD_VERSION[$engine]} ($(field_store "$engine") store, pid $pid, $(field_host "$engine"), log $logfile)")
}

verify_field_store() {
  local engine=$1 driver_status
  driver_status="$(field_info "$engine" 2) $(field_info "$engine" 3)"
  if [[ ${FIELD_SNAPSHOTTER[$engine]} == true ]]; then
    grep -q 'io.containerd.snapshotter.v1' <<<"$driver_status" \
      || die "the field dockerd ($engine) does not use the containerd image store (docker info: $driver_status); check $(field_config "$engine")"
  elif grep -q 'io.containerd.snapshotter.v1' <<<"$driver_status"; then
    die "the field dockerd ($engine) uses the containerd image store (docker info: $driver_status); check $(field_config "$engine")"
  fi
}

field_docker_up() {
  local engine
  install_field_docker
  ensure_field_cli
  if field29_present; then
    install_field29
    ensure_field29_cli
  else
    log "no $FIELD29_SOURCE/$FIELD29_TARBALL_NAME: Docker 29.4.2 + buildx 0.36.1 are not run (their test rows are skipped)"
  fi
  for engine in "${FIELD_ENGINES[@]}"; do
    ensure_field_bridge "$engine"
    configure_field_docker "$engine"
    start_field_dockerd "$engine"
    verify_field_store "$engine"
    DOCKER_HOST=$(field_host "$engine") ensure_base_image
  done
}

field_docker_status() {
  local engine pid rc=0
  field29_present || echo "field dockerd 29: not run (no $FIELD29_SOURCE/$FIELD29_TARBALL_NAME)"
  for engine in "${FIELD_ENGINES[@]}"; do
    if pid=$(live_pid "$(field_pidfile "$engine")" "$(field_config "$engine")") && field_answers "$engine"; then
      echo "field dockerd ${FIELD_VERSION[$engine]} ($(field_store "$engine") store): running (pid $pid) on $(field_host "$engine"), engine $(field_info "$engine" 1), storage driver $(field_info "$engine" 2), log $(field_log "$engine")"
      if field_docker "$engine" image inspect "$BASE_IMAGE" >/dev/null 2>&1; then
        echo "base image $BASE_IMAGE in the field dockerd ($engine): present"
      else
        echo "base image $BASE_IMAGE in the field dockerd ($engine): not available"
        rc=1
      fi
    else
      echo "field dockerd ${FIELD_VERSION[$engine]} ($(field_store "$engine") store): not running"
      rc=1
    fi
  done
  if field_installed && [[ -x $FIELD_BIN/docker && -x $FIELD_CLI_PLUGINS/docker-buildx ]]; then
    echo "field client: $FIELD_BIN/docker $("$FIELD_BIN/docker" --version | sed 's/^Docker version //'), $FIELD_CLI_PLUGINS/docker-buildx $("$FIELD_CLI_PLUGINS/docker-buildx" version | awk '{ print $2 }')"
  else
    echo "field client: not installed ($FIELD_ROOT)"
    rc=1
  fi
  if field29_present; then
    if field29_installed; then
      echo "field client 29: $FIELD29_BIN/docker $("$FIELD29_BIN/docker" --version | sed 's/^Docker version //'), buildx $("$FIELD29_CLI_PLUGINS/docker-buildx" version | awk '{ print $2 }')"
    else
      echo "field client 29: not installed ($FIELD29_ROOT)"
      rc=1
    fi
  fi
  return "$rc"
}

field_docker_summary() {
  local engine
  for engine in "${FIELD_ENGINES[@]}"; do
    log "  field dockerd $(field_info "$engine" 1) ($(field_store "$engine") store, $(field_host "$engine"), storage driver $(field_info "$engine" 2)), log $(field_log "$engine")"
  done
  log "  field client: $FIELD_BIN/docker ($("$FIELD_BIN/docker" --version | sed 's/^Docker version //')), buildx $("$FIELD_CLI_PLUGINS/docker-buildx" version | awk '{ print $2 }') in $FIELD_CLI_PLUGINS; packages $(tr '\n' ',' <"$FIELD_STAMP" | sed 's/,$//; s/,/, /g')"
  ! field29_present \
    || log "  field client 29: $FIELD29_BIN/docker ($("$FIELD29_BIN/docker" --version | sed 's/^Docker version //')), buildx $("$FIELD29_CLI_PLUGINS/docker-buildx" version | awk '{ print $2 }') in $FIELD29_CLI_PLUGINS"
}

stop_field_docker() {
  local engine pid
  for engine in "${FIELD_ENGINES[@]}"; do
    if pid=$(live_pid "$(field_pidfile "$engine")" "$(field_config "$engine")"); then
      stop_pid "$pid" "field dockerd ($engine)"
      STOPPED+=("field dockerd $engine (pid $pid)")
    fi
    rm -f "$(field_pidfile "$engine")"
    if ip link show dev "${FIELD_BRIDGE[$engine]}" >/dev/null 2>&1; then
      ip link delete dev "${FIELD_BRIDGE[$engine]}" || log "WARNING: could not delete bridge ${FIELD_BRIDGE[$engine]}"
    fi
  done
}

field_docker_env() {
  printf 'export DPA_FIELD_CLASSIC_DOCKER_HOST=%q\n' "$(field_host classic)"
  printf 'export DPA_FIELD_CONTAINERD_DOCKER_HOST=%q\n' "$(field_host containerd)"
  printf 'export DPA_FIELD_BIN=%q\n' "$FIELD_BIN"
  printf 'export DPA_FIELD_CLI_PLUGINS=%q\n' "$FIELD_CLI_PLUGINS"
  # the unpacked packages (usr/sbin/dockerd …): a test's own engine starts from them
  printf 'export DPA_FIELD_ROOT=%q\n' "$FIELD_ROOT"
  field29_present || return 0
  printf 'export DPA_FIELD29_CLASSIC_DOCKER_HOST=%q\n' "$(field_host 29-classic)"
  printf 'export DPA_FIELD29_CONTAINERD_DOCKER_HOST=%q\n' "$(field_host 29-containerd)"
  printf 'export DPA_FIELD29_BIN=%q\n' "$FIELD29_BIN"
  printf 'export DPA_FIELD29_CLI_PLUGINS=%q\n' "$FIELD29_CLI_PLUGINS"
  printf 'export DPA_FIELD29_ROOT=%q\n' "$FIELD29_ROOT"
}
