#!/usr/bin/env bash
# Installs and runs the real test stack for docker-publish-action:
#   dockerd (Docker Engine 26 from Debian trixie, containerd image store) + buildx 0.13,
#   registry A on 127.0.0.1:5001 (user alice) and registry B on 127.0.0.1:5002 (user bob),
#   both Debian's docker-registry (distribution 2.8), plain HTTP, htpasswd auth,
#   and a local base image local/busybox:latest imported from Debian's busybox-static.
#   cosign 2.5 (Debian trixie) verifies the signatures the action writes (e2e).
# Beside them (their own sockets, ports and state; see scripts/stack/lib/):
#   - a classic-store dockerd (containerd snapshotter off, as on a GitHub-hosted runner
#     without setup-buildx) on unix:///var/run/dpa-docker-classic.sock, with its own
#     data-root /var/lib/dpa-docker-classic, exec-root, bridge dpa-classic0 and containerd
#     namespaces, no iptables; local/busybox:latest imported into it too
#     (DPA_CLASSIC_DOCKER_HOST).
#   - registry T on 127.0.0.1:5003 with token auth (as Docker Hub and GHCR): distribution's
#     `auth: token`, tokens from scripts/stack/token-issuer.mjs (node) on
#     http://127.0.0.1:5004/token (GET as docker login, POST OAuth2 as BuildKit);
#     carol pulls and pushes everywhere, dave pulls everywhere but pushes only under dave/,
#     anonymous pulls only under public/ (DPA_REGISTRY_T*, DPA_REGISTRY_T_READER*).
#   - registry E under Amazon ECR's names (scripts/stack/lib/ecr-registry.sh): TLS on
#     127.0.0.1:5443 (a CA of the stack's own, in /etc/docker/certs.d), user AWS, the names
#     123456789012.dkr.ecr.eu-west-1.amazonaws.com, 210987654321.… and public.ecr.aws in
#     /etc/hosts (DPA_REGISTRY_E*).
#   - git servers for Git contexts (scripts/stack/lib/git-server.sh): git daemon on
#     git://127.0.0.1:5005/ (anonymous) and smart HTTP on http://127.0.0.1:5006/ that
#     needs the token DPA_GIT_TOKEN; both serve the bare repositories in DPA_GIT_REPOS.
#   - the field engines (scripts/stack/lib/field-docker.sh): Docker 28.5.2 + containerd
#     2.1 + runc 1.3 + buildx 0.29.1 from Debian sid, downloaded and unpacked under the
#     state dir (nothing installed), two dockerds: classic store on
#     unix:///var/run/dpa-docker28-classic.sock, containerd store on
#     unix:///var/run/dpa-docker28-containerd.sock (DPA_FIELD_*); and Docker 29.4.2 + buildx
#     0.36.1 (GitHub's ubuntu-latest) from ../shared/field29, sha256-checked, on both stores:
#     unix:///var/run/dpa-docker29-{containerd,classic}.sock (DPA_FIELD29_*; skipped, with one
#     line, where the checkout has no ../shared/field29).
#   - BuildKit (scripts/stack/lib/buildkit.sh): buildkitd v0.25.2 compiled offline from
#     sid's sources into /var/tmp/dpa-buildkit (minutes, once; in the background while
#     the rest starts), two buildkitds (unix sockets; #1 also tcp://127.0.0.1:5021 with
#     mTLS), a local BuildKit image in every engine, and buildx builders dpa-remote,
#     dpa-remote-tls, dpa-container-{26,26-classic,28-classic,28-containerd,29-containerd} and
#     dpa-two-node in BUILDX_CONFIG=$STACK_DIR/buildx (DPA_BUILDX_CONFIG, DPA_BUILDKIT_*).
#   - emulation (scripts/stack/lib/emulation.sh): a linux/amd64 + linux/arm64 busybox base
#     image in registry A (DPA_EMULATION_BASE) and a stand-in of tonistiigi/binfmt:latest
#     from Debian's qemu-user-static in every engine (DPA_BINFMT_IMAGE); no handler installed.
#   - the results service stand-in (scripts/stack/lib/results-service.sh): GitHub's artifact
#     service v4 and cache service v2 behind one ACTIONS_RESULTS_URL, written in
#     test/support/results-service/ and bundled with node_modules' esbuild (run `npm ci`
#     first); its control API on http://127.0.0.1:5007 hands each test process a tenant
#     of its own (DPA_RESULTS_SERVICE).
#   - a stand-in of GHCR (scripts/stack/lib/ghcr.sh): ghcr.io on https 127.0.0.1:5444 and a plain
#     twin on :5008 (deletes refused), GitHub's packages REST API on :5009 (DPA_GHCR*).
#
# Usage: stack.sh up|down|status|env
#   up      install what is missing, start what is not running (idempotent, fast when up)
#   down    stop only what `up` started (pidfiles in the state dir)
#   status  say what is running (exit 1 if something is not)
#   env     print `export` lines; use: eval "$(scripts/stack/stack.sh env)"
#
# State dir: ${DPA_STACK_DIR:-/var/tmp/docker-publish-stack}
set -euo pipefail

STACK_SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
STACK_DIR=${DPA_STACK_DIR:-/var/tmp/docker-publish-stack}
RUN_DIR=$STACK_DIR/run
LOG_DIR=$STACK_DIR/logs

REGISTRY_HOST=127.0.0.1
REGISTRIES=(a b)
declare -A REGISTRY_PORT=([a]=5001 [b]=5002)
declare -A REGISTRY_USER=([a]=alice [b]=bob)

BASE_IMAGE=local/busybox:latest
DEBIAN_SOURCES=/etc/apt/sources.list.d/debian.sources
TRIXIE_SOURCES=/etc/apt/sources.list.d/trixie.sources
TRIXIE_PIN=/etc/apt/preferences.d/dpa-trixie
DAEMON_JSON=/etc/docker/daemon.json
DOCKERD_SOCK=/var/run/docker.sock

# patchelf: the field's runc (lib/field-docker.sh); xz-utils: the BuildKit compile's tarball.
DEFAULT_SUITE_PACKAGES=(docker-registry apache2-utils busybox-static curl jq openssl iproute2 git patchelf xz-utils)
# package => minimum upstream version we need from trixie
declare -A TRIXIE_PACKAGES=([docker.io]=26 [docker-cli]=26 [docker-buildx]=0.13 [cosign]=2.5)

DOCKERD_WAIT_SECONDS=60
DAEMON_WAIT_SECONDS=20
STOP_WAIT_SECONDS=30
# Docker 26's BuildKit reads every build record at start, under the 10 s deadline of the daemon's
# router (moby#48569, fixed in 27.4): 14,617 records left by earlier runs took the stack's dockerd
# 14.8 s to start, and failed a CI run's start. A dockerd the stack starts that holds more than
# this many has them all pruned (a full test run adds about 1,000).
BUILD_RECORDS_KEPT=2000

STARTED=()
STOPPED=()
declare -A REGISTRY_CONFIG_CHANGED=()

# ---------------------------------------------------------------- helpers

log() { printf '[stack] %s\n' "$*" >&2; }
die() { printf '[stack] ERROR: %s\n' "$*" >&2; exit 1; }

require_root() {
  [[ $EUID -eq 0 ]] || die "'$1' needs root (it installs packages and starts daemons)"
}

# Serialises concurrent `up`/`down` calls (e.g. parallel test workers).
take_lock() {
  mkdir -p "$STACK_DIR"
  exec 9>"$STACK_DIR/.lock"
  flock -w 600 9 || die "could not take $STACK_DIR/.lock"
}

# Writes $2 to file $1 only when the content differs; returns 0 if it changed.
write_if_changed() {
  local file=$1 content=$2
  if [[ -f $file ]] && [[ "$(cat "$file")" == "$content" ]]; then
    return 1
  fi
  mkdir -p "$(dirname "$file")"
  printf '%s\n' "$content" >"$file.tmp.$$" || die "cannot write $file"
  mv -f "$file.tmp.$$" "$file" || die "cannot write $file"
  return 0
}

# Prints the pid recorded in pidfile $1 if that process is alive and its command
# line contains $2 (guards against pid reuse after a reboot).
live_pid() {
  local pidfile=$1 expect=$2 pid
  [[ -f $pidfile ]] || return 1
  pid=$(<"$pidfile")
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  [[ -r /proc/$pid/cmdline ]] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "$expect" || return 1
  printf '%s\n' "$pid"
}

# Removes pidfile $1 left by a process that is gone (a restored machine
# reuses pids, and dockerd then mistakes another process for its containerd).
clear_stale_pidfile() {
  local pidfile=$1 expect=$2
  [[ -f $pidfile ]] || return 0
  live_pid "$pidfile" "$expect" >/dev/null && return 0
  rm -f "$pidfile" || die "cannot remove the stale pidfile $pidfile"
  log "removed the stale pidfile $pidfile"
}

log_tail() {
  local file=$1
  printf '%s\n' "----- last lines of $file -----" >&2
  tail -n 30 "$file" >&2 || true
  printf '%s\n' "-----" >&2
}

# Lines of `ss` for listeners on TCP port $1 (empty if free).
listeners_on_port() {
  ss -Hltnp "sport = :$1" 2>/dev/null || true
}

# Waits until the check ("$@") succeeds for a process just started (pid $2),
# polling every 0.25 s for at most $5 seconds; dies with its log tail if it
# exits or does not answer in time. Every daemon the stack starts uses it.
await_ready() {
  local name=$1 pid=$2 pidfile=$3 logfile=$4 seconds=$5 waited=0
  shift 5
  until "$@"; do
    if ! kill -0 "$pid" 2>/dev/null; then
      rm -f "$pidfile"
      log_tail "$logfile"
      die "$name exited during startup"
    fi
    if ((waited >= seconds * 4)); then
      log_tail "$logfile"
      die "$name did not answer within ${seconds}s (pid $pid left running; run 'down')"
    fi
    sleep 0.25
    waited=$((waited + 1))
  done
}

# Starts one of the stack's small daemons (a registry, a stand-in), or leaves the one running;
# restarts it when its config or code changed. $1 its name in the log; $2 the stem of its pid and
# log files; $3 what its command line holds (a pid file's process that lacks it is not ours); $4
# its port; $5 1 when it changed; $6 where it answers, for the log; $7 the command that tells it
# answers (split into words); the rest: the command that runs it.
start_daemon() {
  local name=$1 stem=$2 expect=$3 port=$4 changed=$5 where=$6 ready=$7 pidfile logfile pid listeners
  shift 7
  pidfile=$RUN_DIR/$stem.pid logfile=$LOG_DIR/$stem.log
  if pid=$(live_pid "$pidfile" "$expect") && [[ $changed -eq 1 ]]; then
    log "$name changed; restarting pid $pid"
    stop_pid "$pid" "$name"
  fi
  if pid=$(live_pid "$pidfile" "$expect"); then
    $ready && return 0
    die "$name (pid $pid) runs but does not answer on port $port; see $logfile"
  fi
  listeners=$(listeners_on_port "$port")
  [[ -z $listeners ]] || die "port $port is taken by something this script did not start:
$listeners"
  log "starting $name on $where (log: $logfile)"
  setsid nohup "$@" >>"$logfile" 2>&1 </dev/null 9>&- &
  pid=$!
  printf '%s\n' "$pid" >"$pidfile"
  # shellcheck disable=SC2086 # $ready is a command and its arguments
  await_ready "$name" "$pid" "$pidfile" "$logfile" "$DAEMON_WAIT_SECONDS" $ready
  STARTED+=("$name (pid $pid, $where, log $logfile)")
}

# A bridge of a dockerd of ours, with its address, up. Each dockerd beside the
# first needs its own: with `bridge: none` dockerd deletes docker0.
ensure_bridge() {
  local bridge=$1 cidr=$2
  if ! ip link show dev "$bridge" >/dev/null 2>&1; then
    ip link add name "$bridge" type bridge || die "cannot create bridge $bridge"
    log "created bridge $bridge"
  fi
  if ! ip -4 -o addr show dev "$bridge" | grep -qF " $cidr "; then
    ip addr add "$cidr" dev "$bridge" || die "cannot add $cidr to $bridge"
  fi
  ip link set dev "$bridge" up || die "cannot bring $bridge up"
}

# ---------------------------------------------------------------- apt

# The URI of the deb822 entry whose Suites has plain `bookworm`, so trixie uses
# the same mirror (snapshot, proxy, ...) as the rest of the machine.
debian_mirror_field() {
  local field=$1
  [[ -r $DEBIAN_SOURCES ]] || die "$DEBIAN_SOURCES not found: cannot tell which Debian mirror to use"
  awk -v field="$field" '
    BEGIN { RS = ""; FS = "\n" }
    $0 ~ /(^|\n)Suites:([ \t]+[^ \t\n]+)*[ \t]+bookworm([ \t]|\n|$)/ {
      for (i = 1; i <= NF; i++) {
        if ($i ~ "^" field ":") {
          sub("^" field ":[ \t]*", "", $i); split($i, v, /[ \t]+/); print v[1]; exit
        }
      }
    }' "$DEBIAN_SOURCES"
}

configure_trixie_source() {
  local uri signed_by
  uri=$(debian_mirror_field URIs)
  [[ -n $uri ]] || die "no URIs: line in the bookworm entry of $DEBIAN_SOURCES"
  signed_by=$(debian_mirror_field Signed-By)
  signed_by=${signed_by:-/usr/share/keyrings/debian-archive-keyring.gpg}
  if write_if_changed "$TRIXIE_SOURCES" "# Written by docker-publish-action scripts/stack/stack.sh (Docker 26 + buildx 0.13).
Types: deb
URIs: $uri
Suites: trixie
Components: main
Signed-By: $signed_by"; then
    log "wrote $TRIXIE_SOURCES (mirror $uri)"
  fi
  # Low priority: trixie is only used for the packages asked for explicitly.
  if write_if_changed "$TRIXIE_PIN" "# Written by docker-publish-action scripts/stack/stack.sh
Package: *
Pin: release n=trixie
Pin-Priority: 100"; then
    log "wrote $TRIXIE_PIN (trixie at priority 100)"
  fi
}

# Prints the installed version, or nothing (never fails: callers run under set -e).
installed_version() {
  { dpkg-query -W -f='${db:Status-Status} ${Version}\n' "$1" 2>/dev/null || true; } | awk '$1 == "installed" { print $2 }'
}

# Upstream version (epoch and Debian revision stripped) >= minimum?
version_at_least() {
  local full=$1 min=$2 upstream
  upstream=${full#*:}
  upstream=${upstream%%[+~-]*}
  dpkg --compare-versions "$upstream" ge "$min"
}

missing_default_packages() {
  local pkg
  for pkg in "${DEFAULT_SUITE_PACKAGES[@]}"; do
    [[ -n $(installed_version "$pkg") ]] || printf '%s\n' "$pkg"
  done
}

missing_trixie_packages() {
  local pkg v
  for pkg in "${!TRIXIE_PACKAGES[@]}"; do
    v=$(installed_version "$pkg")
    if [[ -z $v ]] || ! version_at_least "$v" "${TRIXIE_PACKAGES[$pkg]}"; then
      printf '%s\n' "$pkg"
    fi
  done
}

require_candidate() {
  local pkg=$1 suite=$2 min=${3:-} version
  if [[ $suite == trixie ]]; then
    version=$(apt-cache madison "$pkg" | awk -F' *[|] *' '$3 ~ / trixie\// { print $2; exit }')
  else
    version=$(apt-cache policy "$pkg" | awk '$1 == "Candidate:" { print $2 }')
    [[ $version == "(none)" ]] && version=""
  fi
  [[ -n $version ]] || die "package $pkg not found in $suite (apt-cache policy $pkg)"
  if [[ -n $min ]] && ! version_at_least "$version" "$min"; then
    die "$pkg in $suite is $version, need >= $min"
  fi
}

# No systemd here, but maintainer scripts may still try /etc/init.d: keep them
# from starting the packaged docker/registry services (we run our own).
with_services_blocked() {
  local policy=/usr/sbin/policy-rc.d created=0 rc=0
  if [[ ! -e $policy ]]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy"
    chmod 755 "$policy"
    created=1
  fi
  "$@" || rc=$?
  [[ $created -eq 1 ]] && rm -f "$policy"
  return "$rc"
}

install_packages() {
  local missing_default missing_trixie pkg
  configure_trixie_source
  mapfile -t missing_default < <(missing_default_packages)
  mapfile -t missing_trixie < <(missing_trixie_packages)
  if [[ ${#missing_default[@]} -eq 0 && ${#missing_trixie[@]} -eq 0 ]]; then
    return 0
  fi
  log "installing: ${missing_default[*]}${missing_default[*]:+ }${missing_trixie[*]/%//trixie}"
  printf "\n=== %s stack.sh up\n" "$(date -u +%FT%TZ)" >>"$LOG_DIR/apt.log"
  apt-get update -q >>"$LOG_DIR/apt.log" 2>&1 || { log_tail "$LOG_DIR/apt.log"; die "apt-get update failed"; }
  for pkg in "${missing_default[@]}"; do require_candidate "$pkg" default; done
  for pkg in "${missing_trixie[@]}"; do require_candidate "$pkg" trixie "${TRIXIE_PACKAGES[$pkg]}"; done
  export DEBIAN_FRONTEND=noninteractive
  # Only the missing ones: naming an installed package would upgrade it.
  if [[ ${#missing_default[@]} -gt 0 ]]; then
    with_services_blocked apt-get install -y -q --no-install-recommends "${missing_default[@]}" \
      >>"$LOG_DIR/apt.log" 2>&1 || { log_tail "$LOG_DIR/apt.log"; die "apt-get install failed"; }
  fi
  if [[ ${#missing_trixie[@]} -gt 0 ]]; then
    # pkg/trixie rather than `-t trixie`: -t makes trixie the candidate for every
    # dependency and would upgrade libc6, dpkg, base-files, gcc runtimes...
    with_services_blocked apt-get install -y -q --no-install-recommends "${missing_trixie[@]/%//trixie}" \
      >>"$LOG_DIR/apt.log" 2>&1 || { log_tail "$LOG_DIR/apt.log"; die "apt-get install from trixie failed"; }
  fi
  [[ -z $(missing_default_packages) && -z $(missing_trixie_packages) ]] \
    || die "packages still missing after apt-get install; see $LOG_DIR/apt.log"
  log "packages installed (apt log: $LOG_DIR/apt.log)"
}

# ---------------------------------------------------------------- docker

configure_daemon_json() {
  local current='{}' desired
  if [[ -s $DAEMON_JSON ]]; then
    current=$(jq -c . "$DAEMON_JSON") || die "$DAEMON_JSON is not valid JSON"
  fi
  desired=$(jq -c '. * {"features": {"containerd-snapshotter": true}}' <<<"$current")
  if [[ $(jq -cS . <<<"$current") != $(jq -cS . <<<"$desired") || ! -s $DAEMON_JSON ]]; then
    mkdir -p "$(dirname "$DAEMON_JSON")"
    jq . <<<"$desired" >"$DAEMON_JSON"
    log "wrote $DAEMON_JSON: $desired"
    if docker_answers; then
      log "WARNING: dockerd is already running; it picks up $DAEMON_JSON only after a restart (down + up)"
    fi
  fi
}

docker_answers() {
  timeout 10 docker info --format '{{.ServerVersion}}' >/dev/null 2>&1
}

# Prunes every unused build record of the dockerd at $2 (a unix:// host) when it holds more than
# BUILD_RECORDS_KEPT; over the Engine API, as `docker builder prune` is buildx's prune of whichever
# builder is current. Only just after the stack started it: a running one may be building for a
# test, whose cache a prune would take. A prune that fails is a warning: the daemon is up.
bound_build_records() {
  local name=$1 socket=${2#unix://} count
  if ! count=$(curl -sSf --unix-socket "$socket" 'http://localhost/system/df?type=build-cache' | jq '.BuildCache | length'); then
    log "WARNING: cannot count the build records of $name; its next start may be slow (moby#48569)"
    return 0
  fi
  ((count > BUILD_RECORDS_KEPT)) || return 0
  if curl -sSf --unix-socket "$socket" -X POST 'http://localhost/build/prune?all=true' >/dev/null; then
    log "pruned the build records of $name ($count, left by earlier runs; a start reads each: moby#48569)"
  else
    log "WARNING: cannot prune the $count build records of $name; its next start may be slow (moby#48569)"
  fi
}

start_dockerd() {
  local pidfile=$RUN_DIR/dockerd.pid logfile=$LOG_DIR/dockerd.log pid
  if docker_answers; then
    return 0
  fi
  if pid=$(live_pid "$pidfile" dockerd); then
    die "dockerd (pid $pid) runs but does not answer; see $logfile"
  fi
  clear_stale_pidfile /var/run/docker.pid dockerd
  clear_stale_pidfile /var/run/docker/containerd/containerd.pid containerd
  log "starting dockerd (log: $logfile)"
  # setsid: own session, so it outlives this shell and the caller's terminal.
  # 9>&-: the daemon must not inherit (and hold forever) the stack lock.
  setsid nohup dockerd >>"$logfile" 2>&1 </dev/null 9>&- &
  pid=$!
  printf '%s\n' "$pid" >"$pidfile"
  await_ready dockerd "$pid" "$pidfile" "$logfile" "$DOCKERD_WAIT_SECONDS" docker_answers
  bound_build_records dockerd "unix://$DOCKERD_SOCK"
  STARTED+=("dockerd (pid $pid, socket $DOCKERD_SOCK, log $logfile)")
}

# dockerd starts a managed containerd (socket under /var/run/docker) unless a
# system one already listens on /run/containerd.
verify_containerd() {
  local pid child sock
  if pid=$(live_pid "$RUN_DIR/dockerd.pid" dockerd) && child=$(pgrep -P "$pid" -x containerd | head -n1) && [[ -n $child ]]; then
    log "containerd: managed by dockerd (pid $child)"
    return 0
  fi
  for sock in /var/run/docker/containerd/containerd.sock /run/containerd/containerd.sock; do
    if [[ -S $sock ]]; then
      log "containerd: running ($sock)"
      return 0
    fi
  done
  die "no containerd found for dockerd (see $LOG_DIR/dockerd.log)"
}

verify_snapshotter() {
  local driver_status
  driver_status=$(docker info --format '{{.Driver}} {{json .DriverStatus}}')
  grep -q 'io.containerd.snapshotter.v1' <<<"$driver_status" \
    || die "dockerd does not use the containerd image store (docker info: $driver_status); check $DAEMON_JSON and restart dockerd (down + up)"
}

# The CLI first on PATH may be another build (/usr/local/bin/docker); make sure
# it finds Debian's buildx plugin.
ensure_buildx_plugin() {
  local plugin=/usr/libexec/docker/cli-plugins/docker-buildx link_dir=/usr/local/lib/docker/cli-plugins
  if docker buildx version >/dev/null 2>&1; then
    return 0
  fi
  [[ -x $plugin ]] || die "$plugin missing (docker-buildx package)"
  mkdir -p "$link_dir"
  ln -sf "$plugin" "$link_dir/docker-buildx"
  log "linked $plugin into $link_dir for $(command -v docker)"
  docker buildx version >/dev/null 2>&1 || die "'docker buildx version' fails even with $link_dir/docker-buildx"
}

# Imports into the daemon of DOCKER_HOST (call as DOCKER_HOST=... ensure_base_image).
ensure_base_image() {
  local rootfs applet
  if docker image inspect "$BASE_IMAGE" >/dev/null 2>&1; then
    return 0
  fi
  [[ -x /bin/busybox ]] || die "/bin/busybox missing (busybox-static package)"
  rootfs=$(mktemp -d)
  mkdir -p "$rootfs"/{bin,etc,root,tmp}
  chmod 1777 "$rootfs/tmp"
  cp /bin/busybox "$rootfs/bin/busybox"
  for applet in $(/bin/busybox --list); do
    [[ $applet == busybox ]] || ln -s busybox "$rootfs/bin/$applet"
  done
  printf 'root:x:0:0:root:/root:/bin/sh\n' >"$rootfs/etc/passwd"
  printf 'root:x:0:\n' >"$rootfs/etc/group"
  tar --numeric-owner -C "$rootfs" -cf - . \
    | docker import --change 'CMD ["/bin/sh"]' --change 'ENV PATH=/bin' - "$BASE_IMAGE" >/dev/null
  rm -rf "$rootfs"
  STARTED+=("image $BASE_IMAGE in ${DOCKER_HOST:-unix://$DOCKERD_SOCK} (imported from busybox-static $(installed_version busybox-static))")
}

# ---------------------------------------------------------------- registries

registry_dir() { printf '%s/registry-%s\n' "$STACK_DIR" "$1"; }

# Generated once and kept in file $1, so reruns and other processes see the same one.
generated_password() {
  local file=$1
  if [[ ! -s $file ]]; then
    mkdir -p "$(dirname "$file")"
    (umask 077 && head -c 48 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | cut -c1-24 >"$file")
  fi
  cat "$file"
}

registry_password() { generated_password "$(registry_dir "$1")/password"; }

# Writes htpasswd file $1 for user $2 with password $3 unless it already holds them; true when it
# wrote. bcrypt's lowest cost (4): distribution checks the hash on every request, and at
# htpasswd's default (5) that was about half of registry A's CPU in a test run. A hash of
# another cost is written again.
write_htpasswd() {
  local file=$1 user=$2 password=$3
  if [[ -s $file ]] && [[ $(cut -d: -f2 "$file") == '$2y$04$'* ]] &&
    htpasswd -vb "$file" "$user" "$password" >/dev/null 2>&1; then
    return 1
  fi
  (umask 077 && htpasswd -Bbn -C 4 "$user" "$password" >"$file")
}

# Sets REGISTRY_CONFIG_CHANGED[id]=1 when the config or htpasswd file changed.
configure_registry() {
  local id=$1 dir port user password
  dir=$(registry_dir "$id")
  port=${REGISTRY_PORT[$id]}
  user=${REGISTRY_USER[$id]}
  password=$(registry_password "$id")
  mkdir -p "$dir/storage"
  write_htpasswd "$dir/htpasswd" "$user" "$password" && REGISTRY_CONFIG_CHANGED[$id]=1
  if write_if_changed "$dir/config.yml" "# Registry ${id^^} for docker-publish-action tests (written by scripts/stack/stack.sh)
version: 0.1
log:
  level: info
  fields:
    service: registry-$id
storage:
  filesystem:
    rootdirectory: $dir/storage
  delete:
    enabled: true
  cache:
    blobdescriptor: inmemory
http:
  addr: $REGISTRY_HOST:$port
  headers:
    X-Content-Type-Options: [nosniff]
auth:
  htpasswd:
    realm: registry-$id
    path: $dir/htpasswd"; then
    REGISTRY_CONFIG_CHANGED[$id]=1
  fi
}

# GET /v2/ answers 401: the registry is up and asks for credentials.
registry_challenges() {
  [[ $(registry_status_code "$1") == 401 ]]
}

registry_status_code() {
  curl -s -o /dev/null -m 5 -w '%{http_code}' "http://$REGISTRY_HOST:${REGISTRY_PORT[$1]}/v2/" || true
}

stop_pid() {
  local pid=$1 name=$2 waited=0
  kill -TERM "$pid" 2>/dev/null || return 0
  while kill -0 "$pid" 2>/dev/null; do
    if ((waited >= STOP_WAIT_SECONDS)); then
      log "$name (pid $pid) ignored SIGTERM for ${STOP_WAIT_SECONDS}s; sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      break
    fi
    sleep 1
    waited=$((waited + 1))
  done
}

# Stops each NAME:PROCESS this script started (RUN_DIR/NAME.pid names it) and forgets its pid file.
stop_started() {
  local entry name expect pid
  for entry in "$@"; do
    name=${entry%%:*} expect=${entry#*:}
    if pid=$(live_pid "$RUN_DIR/$name.pid" "$expect"); then
      stop_pid "$pid" "$name"
      STOPPED+=("$name (pid $pid)")
    fi
    rm -f "$RUN_DIR/$name.pid"
  done
}

start_registry() {
  local id=$1 port=${REGISTRY_PORT[$1]}
  # htpasswd and config are only read at startup.
  start_daemon "registry $id" "registry-$id" docker-registry "$port" \
    "${REGISTRY_CONFIG_CHANGED[$id]:-0}" \
    "http://$REGISTRY_HOST:$port, user ${REGISTRY_USER[$id]}" "registry_challenges $id" \
    /usr/bin/docker-registry serve "$(registry_dir "$id")/config.yml"
}

verify_registry_login() {
  local id=$1 code
  code=$(curl -s -o /dev/null -m 5 -w '%{http_code}' -u "${REGISTRY_USER[$id]}:$(registry_password "$id")" \
    "http://$REGISTRY_HOST:${REGISTRY_PORT[$id]}/v2/" || true)
  [[ $code == 200 ]] || die "registry $id rejects ${REGISTRY_USER[$id]}'s password (HTTP $code)"
}

# ---------------------------------------------------------------- more pieces

# shellcheck source=lib/classic-docker.sh
source "$STACK_SCRIPT_DIR/lib/classic-docker.sh"
# shellcheck source=lib/token-registry.sh
source "$STACK_SCRIPT_DIR/lib/token-registry.sh"
# shellcheck source=lib/git-server.sh
source "$STACK_SCRIPT_DIR/lib/git-server.sh"
# shellcheck source=lib/ecr-registry.sh
source "$STACK_SCRIPT_DIR/lib/ecr-registry.sh"
# shellcheck source=lib/private-apt.sh
source "$STACK_SCRIPT_DIR/lib/private-apt.sh"
# shellcheck source=lib/field-docker.sh
source "$STACK_SCRIPT_DIR/lib/field-docker.sh"
# shellcheck source=lib/buildkit.sh
source "$STACK_SCRIPT_DIR/lib/buildkit.sh"
# shellcheck source=lib/emulation.sh
source "$STACK_SCRIPT_DIR/lib/emulation.sh"
# shellcheck source=lib/stand-ins.sh
source "$STACK_SCRIPT_DIR/lib/stand-ins.sh"
# shellcheck source=lib/sbom-generator.sh
source "$STACK_SCRIPT_DIR/lib/sbom-generator.sh"
# shellcheck source=lib/results-service.sh
source "$STACK_SCRIPT_DIR/lib/results-service.sh"
# shellcheck source=lib/node24.sh
source "$STACK_SCRIPT_DIR/lib/node24.sh"
# shellcheck source=lib/cosign3.sh
source "$STACK_SCRIPT_DIR/lib/cosign3.sh"
# shellcheck source=lib/oras.sh
source "$STACK_SCRIPT_DIR/lib/oras.sh"
# shellcheck source=lib/ghcr.sh
source "$STACK_SCRIPT_DIR/lib/ghcr.sh"

# ---------------------------------------------------------------- commands

print_summary() {
  local id item
  if [[ ${#STARTED[@]} -eq 0 ]]; then
    log "everything was already up; nothing started"
  else
    log "started:"
    for item in "${STARTED[@]}"; do log "  - $item"; done
  fi
  log "stack:"
  log "  dockerd $(docker version --format '{{.Server.Version}}') (unix://$DOCKERD_SOCK), log $LOG_DIR/dockerd.log"
  log "  $(docker buildx version)"
  for id in "${REGISTRIES[@]}"; do
    log "  registry $id: http://$REGISTRY_HOST:${REGISTRY_PORT[$id]} user ${REGISTRY_USER[$id]}, log $LOG_DIR/registry-$id.log, storage $(registry_dir "$id")/storage"
  done
  log "  base image: $BASE_IMAGE"
  log "  registry t (token auth): http://$REGISTRY_HOST:${REGISTRY_PORT[t]} users ${REGISTRY_USER[t]} (pull+push) and $TOKEN_READER (push only under $TOKEN_READER/), realm $TOKEN_REALM, log $LOG_DIR/registry-t.log"
  log "  classic dockerd $(classic_docker version --format '{{.Server.Version}}') ($CLASSIC_DOCKER_HOST, storage driver $(classic_docker info --format '{{.Driver}}')), log $LOG_DIR/docker-classic.log"
  log "  git: git://$REGISTRY_HOST:$GIT_DAEMON_PORT/ (anonymous) and http://$REGISTRY_HOST:$GIT_HTTP_PORT/ (token), repositories $(git_repos)"
  log "  results service stand-in: control API $RESULTS_SERVICE_URL (a tenant per test process), log $LOG_DIR/results-service.log"
  field_docker_summary
  buildkit_summary
  log "  state dir: $STACK_DIR   (credentials: eval \"\$($0 env)\")"
}

cmd_up() {
  local id
  require_root up
  require_results_service_bundler
  take_lock
  mkdir -p "$RUN_DIR" "$LOG_DIR"
  install_packages
  node24_up
  start_buildkit_build
  configure_daemon_json
  start_dockerd
  verify_containerd
  verify_snapshotter
  ensure_buildx_plugin
  for id in "${REGISTRIES[@]}"; do
    configure_registry "$id"
    start_registry "$id"
    verify_registry_login "$id"
  done
  ensure_base_image
  ensure_classic_bridge
  configure_classic_docker
  start_classic_dockerd
  verify_classic_store
  DOCKER_HOST=$CLASSIC_DOCKER_HOST ensure_base_image
  token_registry_up
  ecr_registry_up
  ghcr_up
  git_server_up
  results_service_up
  field_docker_up
  buildkit_up
  emulation_up
  ensure_pinned_standins
  ensure_sbom_generator
  cosign3_up
  oras_up
  print_summary
}

cmd_down() {
  local name pid
  require_root down
  take_lock
  stop_buildkit
  stop_field_docker
  stop_results_service
  stop_git_server
  stop_ghcr
  stop_ecr_registry
  stop_token_registry
  stop_classic_dockerd
  # Registries first, dockerd last (its managed containerd stops with it).
  for name in registry-b registry-a dockerd; do
    local expect=docker-registry
    [[ $name == dockerd ]] && expect=dockerd
    if pid=$(live_pid "$RUN_DIR/$name.pid" "$expect"); then
      stop_pid "$pid" "$name"
      STOPPED+=("$name (pid $pid)")
    fi
    rm -f "$RUN_DIR/$name.pid"
  done
  if [[ ${#STOPPED[@]} -eq 0 ]]; then
    log "nothing to stop (no live pidfiles in $RUN_DIR)"
  else
    log "stopped: ${STOPPED[*]}"
  fi
}

cmd_status() {
  local id pid rc=0
  if pid=$(live_pid "$RUN_DIR/dockerd.pid" dockerd); then
    echo "dockerd: running (pid $pid, started by stack.sh), log $LOG_DIR/dockerd.log"
  elif docker_answers; then
    echo "dockerd: running (not started by stack.sh)"
  else
    echo "dockerd: not running"
    rc=1
  fi
  for id in "${REGISTRIES[@]}"; do
    if pid=$(live_pid "$RUN_DIR/registry-$id.pid" docker-registry); then
      echo "registry $id: running (pid $pid) on http://$REGISTRY_HOST:${REGISTRY_PORT[$id]} (GET /v2/ -> $(registry_status_code "$id")), log $LOG_DIR/registry-$id.log"
    else
      echo "registry $id: not running"
      rc=1
    fi
  done
  if docker_answers && docker image inspect "$BASE_IMAGE" >/dev/null 2>&1; then
    echo "base image $BASE_IMAGE: present"
  else
    echo "base image $BASE_IMAGE: not available"
    rc=1
  fi
  classic_status || rc=1
  token_registry_status || rc=1
  ecr_registry_status || rc=1
  ghcr_status || rc=1
  git_server_status || rc=1
  results_service_status || rc=1
  field_docker_status || rc=1
  buildkit_status || rc=1
  emulation_status || rc=1
  standins_status || rc=1
  sbom_generator_status || rc=1
  node24_status || rc=1
  cosign3_status || rc=1
  oras_status || rc=1
  return "$rc"
}

cmd_env() {
  local id file
  for id in "${REGISTRIES[@]}"; do
    file=$(registry_dir "$id")/password
    [[ -r $file ]] || die "$file missing or unreadable: run '$0 up' first (as root)"
  done
  for id in "${REGISTRIES[@]}"; do
    local upper=${id^^}
    printf 'export DPA_REGISTRY_%s=%s\n' "$upper" "$REGISTRY_HOST:${REGISTRY_PORT[$id]}"
    printf 'export DPA_REGISTRY_%s_USER=%s\n' "$upper" "${REGISTRY_USER[$id]}"
    printf 'export DPA_REGISTRY_%s_PASSWORD=%q\n' "$upper" "$(<"$(registry_dir "$id")/password")"
  done
  token_registry_env
  ecr_registry_env
  ghcr_env
  git_server_env
  results_service_env
  printf 'export DPA_CLASSIC_DOCKER_HOST=%q\n' "$CLASSIC_DOCKER_HOST"
  field_docker_env
  buildkit_env
  emulation_env
  standins_env
  sbom_generator_env
  node24_env
  cosign3_env
  oras_env
  printf 'export DPA_STACK_DIR=%q\n' "$STACK_DIR"
}

usage() {
  sed -n '/^# Usage:/,/^# State dir:/p' "$0" | sed 's/^# \{0,1\}//'
}

main() {
  case ${1:-} in
    up) cmd_up ;;
    down) cmd_down ;;
    status) cmd_status ;;
    env) cmd_env ;;
    -h | --help | help) usage ;;
    *) usage >&2; exit 2 ;;
  esac
}

main "$@"
