# Sourced by stack.sh: real BuildKit daemons and the buildx builders the field
# uses (remote, remote over mTLS, docker-container on every engine, two nodes).
#
# Which BuildKit, and why: v0.25.2, the one Docker 28.5.2 vendors, compiled
# offline from Debian sid (the newest; the trixie fallback, v0.13.2 as in
# /work/shared/recipes/buildkitd-up.sh, was not needed). sid's
# golang-github-docker-docker-dev 28.5.2+dfsg4 ships BuildKit's Go tree with
# cmd/buildkitd and cmd/buildctl; sid's Go (golang-1.27) compiles it in GOPATH mode
# (CGO_ENABLED=0, static) against sid's golang-*-dev packages: the closure of the
# -dev package and of docker.io's golang Build-Depends, ~560 packages, fetched with
# apt-get download in a private apt setup (lib/private-apt.sh) and unpacked with
# dpkg -x; nothing is installed. The modules Debian does not package come from
# vendor/ of the docker.io source's engine tarball (docker.io_*.orig.tar.xz): the
# orig-buildkit tarball, where the trixie recipe takes them from, is not served by
# this machine's mirror (`apt-get source --download-only docker.io=28.5.2+dfsg4-5`:
# "Failed to fetch .../docker.io_28.5.2+dfsg4.orig-buildkit.tar.xz  404  Not Found",
# and the .dsc). Two imports of cmd/buildkitd still do not resolve, and get
# stand-ins (lib/buildkit-shims/): the fuse-overlayfs snapshotter (not packaged:
# `cannot find package "github.com/containerd/fuse-overlayfs-snapshotter/v2"`) and the
# stargz snapshotter (packaged against containerd 1.x: `cannot use ... (value of
# interface type "github.com/containerd/containerd/snapshots".Snapshotter) as
# "github.com/containerd/containerd/v2/core/snapshots".Snapshotter value`); buildkitd
# refuses those two snapshotters, overlayfs and native work.
# The compile starts in the background at the beginning of `up` (start_buildkit_build)
# and takes ~3 minutes on 2 cores (download ~5-20 s, unpack ~40 s, go build ~2 min);
# it happens in /var/tmp/dpa-buildkit/build (~4 GB, removed afterwards); bin/ with
# buildkitd, buildctl and build-info is kept and reused by every later `up`
# (BUILDKIT_RECIPE names the recipe: change it to compile again).
#
# What runs (rootful, OCI worker with the field's runc 1.3):
#   - buildkitd #1 on unix:///var/run/dpa-buildkitd.sock (DPA_BUILDKIT_SOCK) and on
#     tcp://127.0.0.1:5021 with mTLS (DPA_BUILDKIT_TCP; CA, server and client
#     certificates made once with openssl in DPA_BUILDKIT_TLS_DIR);
#   - buildkitd #2 on unix:///var/run/dpa-buildkitd-2.sock (its own root), the
#     second node of dpa-two-node;
#   - both mark 127.0.0.1:5001-5003 and localhost:5001-5003 as plain http.
# A local BuildKit image (scratch + static busybox + buildkitd/buildctl + sid's
# runc with sid's glibc and libseccomp + git with bookworm's libraries), tagged
# local/buildkit:<version> and moby/buildkit:buildx-stable-1 in every engine (26.1
# containerd and classic, 28.5 classic and containerd), so `docker buildx create
# --driver docker-container` works offline (buildx's pull fails, it takes the
# local image).
# Builders, in the stack's own buildx state folder (BUILDX_CONFIG=$STACK_DIR/buildx,
# DPA_BUILDX_CONFIG; the user's ~/.docker is untouched), each bootstrapped and
# recreated when missing, broken or made with other options:
#   dpa-remote, dpa-remote-tls, dpa-container-26, dpa-container-26-classic and
#   dpa-two-node are created by buildx 0.13 (the stack's `docker buildx`);
#   dpa-container-28-classic and dpa-container-28-containerd by buildx 0.29 (the
#   field's 28.5 CLI). Both buildx versions read all of them (`buildx ls`).
# Uses helpers and variables of stack.sh, lib/classic-docker.sh, lib/private-apt.sh
# and lib/field-docker.sh.

BUILDKIT_SUITE=sid
BUILDKIT_BUILD_DIR=/var/tmp/dpa-buildkit
BUILDKIT_BIN_DIR=$BUILDKIT_BUILD_DIR/bin
BUILDKIT_BUILD_INFO=$BUILDKIT_BIN_DIR/build-info
BUILDKIT_RECIPE=sid-engine-vendor-1
BUILDKIT_SHIMS=$STACK_SCRIPT_DIR/lib/buildkit-shims/src
BUILDKIT_GO_TAGS='osusergo netgo static_build seccomp'
BUILDKIT_BUILD_LOG=$LOG_DIR/buildkit-build.log

BUILDKIT_DIR=$STACK_DIR/buildkit
BUILDKIT_TLS_DIR=$BUILDKIT_DIR/tls
BUILDKIT_TCP_ADDR=127.0.0.1:5021
BUILDKIT_CONTAINER_CONFIG=$BUILDKIT_DIR/buildkitd-container.toml
BUILDKIT_HTTP_REGISTRIES=(127.0.0.1:5001 127.0.0.1:5002 127.0.0.1:5003 localhost:5001 localhost:5002 localhost:5003)
BUILDKITD_IDS=(1 2)
BUILDKITD_WAIT_SECONDS=30
declare -A BUILDKITD_CONFIG_CHANGED=()

BUILDX_DIR=$STACK_DIR/buildx
BUILDKIT_STABLE_IMAGE=moby/buildkit:buildx-stable-1
# Bump when the image's content changes in a way its inputs' sizes/mtimes do not show.
BUILDKIT_IMAGE_RECIPE=1

# buildkitd #1 is dpa-buildkitd, #2 dpa-buildkitd-2.
buildkitd_name() { if [[ $1 == 1 ]]; then echo dpa-buildkitd; else echo "dpa-buildkitd-$1"; fi; }
buildkitd_addr() { printf 'unix:///var/run/%s.sock\n' "$(buildkitd_name "$1")"; }
buildkitd_config() { printf '%s/%s.toml\n' "$BUILDKIT_DIR" "$(buildkitd_name "$1")"; }
buildkitd_pidfile() { printf '%s/%s.pid\n' "$RUN_DIR" "$(buildkitd_name "$1")"; }
buildkitd_log() { printf '%s/%s.log\n' "$LOG_DIR" "$(buildkitd_name "$1")"; }

buildkit_version() { awk -F= '$1 == "version" { print $2 }' "$BUILDKIT_BUILD_INFO" 2>/dev/null; }
buildkit_image() { printf 'local/buildkit:%s\n' "$(buildkit_version)"; }

# buildx 0.13 (the stack's docker) and 0.29 (the field's 28.5 CLI), both on the
# stack's buildx state folder; DOCKER_CONFIG is the stack's too.
buildx13() {
  env -u DOCKER_HOST -u DOCKER_CONTEXT -u BUILDX_BUILDER DOCKER_CONFIG="$BUILDKIT_DIR/docker-config" \
    BUILDX_CONFIG="$BUILDX_DIR" docker buildx "$@"
}
buildx29() {
  env -u DOCKER_HOST -u DOCKER_CONTEXT -u BUILDX_BUILDER DOCKER_CONFIG="$FIELD_DOCKER_CONFIG" \
    BUILDX_CONFIG="$BUILDX_DIR" "$FIELD_BIN/docker" buildx "$@"
}
# buildx 0.36 (Docker 29's CLI, where ../shared/field29 is)
buildx36() {
  env -u DOCKER_HOST -u DOCKER_CONTEXT -u BUILDX_BUILDER DOCKER_CONFIG="$FIELD29_DOCKER_CONFIG" \
    BUILDX_CONFIG="$BUILDX_DIR" "$FIELD29_BIN/docker" buildx "$@"
}

# ---------------------------------------------------------------- compile

buildkit_built() {
  [[ -x $BUILDKIT_BIN_DIR/buildkitd && -x $BUILDKIT_BIN_DIR/buildctl ]] \
    && grep -qxF "recipe=$BUILDKIT_RECIPE" "$BUILDKIT_BUILD_INFO" 2>/dev/null
}

# Prints the golang packages to download: Go itself and the closure of
# golang-github-docker-docker-dev and of docker.io's golang-* Build-Depends, from
# sid (the private setup has no other suite and an empty status).
buildkit_go_packages() {
  local source_version=$1 build_depends
  build_depends=$(private_apt "$BUILDKIT_SUITE" apt-cache showsrc docker.io \
    | awk -v RS= -v version="$source_version" 'index($0 "\n", "\nVersion: " version "\n")' \
    | awk '/^Build-Depends:/ { f = 1; sub(/^Build-Depends:/, ""); print; next } f && /^ / { print; next } { f = 0 }' \
    | tr ',|' '\n' | sed 's/[([].*//' | awk '$1 ~ /^golang-/ { print $1 }' | sort -u)
  [[ -n $build_depends ]] || die "no Build-Depends for docker.io $source_version in $BUILDKIT_SUITE's Sources"
  # shellcheck disable=SC2086 # one package a word
  private_apt "$BUILDKIT_SUITE" apt-cache depends --recurse --no-recommends --no-suggests \
    --no-conflicts --no-breaks --no-replaces --no-enhances \
    golang-go golang-github-docker-docker-dev $build_depends 2>/dev/null \
    | grep -E -- '^golang-([^ ]*-dev|1\.[0-9]+-(go|src))$' | sort -u
}

# GOPATH mode: BuildKit's tree from the -dev package, vendor/ from the engine
# tarball, a go.mod (it makes GOPATH mode map .../v2 imports onto Debian's
# unsuffixed folders) and the stand-ins.
prepare_buildkit_tree() {
  local build=$1 tarball=$2 tree=$1/gopath/src/github.com/moby/buildkit vendor
  rm -rf "$build/gopath" "$build/engine"
  mkdir -p "$(dirname "$tree")" "$build/engine"
  cp -a "$build/root/usr/share/gocode/src/github.com/moby/buildkit" "$tree"
  tar -xf "$tarball" -C "$build/engine" --wildcards '*/engine/vendor/*' || die "no engine/vendor in $tarball"
  vendor=$(find "$build/engine" -maxdepth 4 -type d -path '*/engine/vendor' | head -n1)
  [[ -f $vendor/modules.txt ]] || die "no engine/vendor/modules.txt in $tarball"
  mv "$vendor" "$tree/vendor"
  mv "$tree/vendor/modules.txt" "$build/modules.txt"
  rm -rf "$build/engine"
  printf 'module github.com/moby/buildkit\n\ngo 1.24.0\n' >"$tree/go.mod"
  cp -a "$BUILDKIT_SHIMS/." "$build/gopath/src/"
}

# Compiles buildkitd and buildctl unless bin/ holds this recipe's build.
build_buildkit() {
  local build=$BUILDKIT_BUILD_DIR/build dev_version tarball version goroot started=$SECONDS t opts
  local download_s unpack_s compile_s
  buildkit_built && return 0
  # A build cut short resumes after its last finished stage (stamps in $build).
  mkdir -p "$build/debs" "$build/src"
  printf "\n=== %s compile BuildKit (recipe %s)\n" "$(date -u +%FT%TZ)" "$BUILDKIT_RECIPE" >>"$BUILDKIT_BUILD_LOG"
  private_apt_update "$BUILDKIT_SUITE"
  dev_version=$(private_apt_version "$BUILDKIT_SUITE" golang-github-docker-docker-dev)
  [[ -n $dev_version ]] || die "golang-github-docker-docker-dev not found in $BUILDKIT_SUITE"
  log "compiling BuildKit from $BUILDKIT_SUITE's docker.io $dev_version (downloads, unpacked packages and Go's cache in $build; log $BUILDKIT_BUILD_LOG)"
  t=$SECONDS
  if [[ $(cat "$build/debs/.done" 2>/dev/null) != "$dev_version" ]]; then
    rm -rf "$build/debs" "$build/src" "$build/root"
    mkdir -p "$build/debs" "$build/src"
    buildkit_go_packages "$dev_version" >"$build/packages" || die "could not list the golang packages"
    mapfile -t opts < <(private_apt_opts "$BUILDKIT_SUITE")
    (cd "$build/debs" && xargs -a "$build/packages" "$(command -v apt-get)" -q "${opts[@]}" download) \
      >>"$BUILDKIT_BUILD_LOG" 2>&1 || { log_tail "$BUILDKIT_BUILD_LOG"; die "apt-get download of the golang packages failed"; }
    # apt-get source fails on files the mirror does not serve (the .dsc, the
    # orig-buildkit tarball); only the engine tarball is needed, and apt checked its hash.
    (cd "$build/src" && private_apt "$BUILDKIT_SUITE" apt-get source --download-only "docker.io=$dev_version") \
      >>"$BUILDKIT_BUILD_LOG" 2>&1 || true
    printf '%s\n' "$dev_version" >"$build/debs/.done"
  fi
  tarball=$(compgen -G "$build/src/docker.io_*.orig.tar.*" | head -n1 || true)
  [[ -n $tarball ]] || { rm -f "$build/debs/.done"; log_tail "$BUILDKIT_BUILD_LOG"; die "apt-get source docker.io=$dev_version did not fetch the engine tarball (docker.io_*.orig.tar.*)"; }
  download_s=$((SECONDS - t)) t=$SECONDS
  if [[ ! -f $build/root/.done ]]; then
    rm -rf "$build/root"
    find "$build/debs" -name '*.deb' | unpack_debs "$build/root"
    touch "$build/root/.done"
  fi
  unpack_s=$((SECONDS - t)) t=$SECONDS
  prepare_buildkit_tree "$build" "$tarball"
  version=$(awk '$1 == "#" && $2 == "github.com/moby/buildkit" { print $3 }' "$build/modules.txt")
  [[ $version == v* ]] || die "no github.com/moby/buildkit version in the engine's vendor/modules.txt"
  goroot=$(compgen -G "$build/root/usr/lib/go-1.*" | sort -V | tail -n1 || true)
  [[ -x $goroot/bin/go ]] || die "no Go toolchain in $build/root/usr/lib"
  mkdir -p "$build/bin"
  (
    cd "$build/gopath/src/github.com/moby/buildkit"
    env GOROOT="$goroot" GOPATH="$build/gopath:$build/root/usr/share/gocode" PATH="$goroot/bin:$PATH" \
      GO111MODULE=off GOPROXY=off GOTOOLCHAIN=local GOENV=off GOFLAGS= GOCACHE="$build/gocache" CGO_ENABLED=0 \
      nice -n 19 go build -trimpath -tags "$BUILDKIT_GO_TAGS" \
      -ldflags "-s -w -X github.com/moby/buildkit/version.Version=$version -X github.com/moby/buildkit/version.Revision=debian-docker.io-$dev_version" \
      -o "$build/bin/" ./cmd/buildkitd ./cmd/buildctl
  ) >>"$BUILDKIT_BUILD_LOG" 2>&1 || { log_tail "$BUILDKIT_BUILD_LOG"; die "go build of buildkitd and buildctl failed (BuildKit $version from docker.io $dev_version)"; }
  compile_s=$((SECONDS - t))
  rm -rf "$BUILDKIT_BIN_DIR.new"
  mv "$build/bin" "$BUILDKIT_BIN_DIR.new"
  printf 'recipe=%s\nversion=%s\ndocker.io=%s\ngo=%s\ncompiled=%ss (download %ss, unpack %ss, go build %ss)\n' \
    "$BUILDKIT_RECIPE" "$version" "$dev_version" "$("$goroot/bin/go" env GOVERSION 2>/dev/null || basename "$goroot")" \
    "$((SECONDS - started))" "$download_s" "$unpack_s" "$compile_s" >"$BUILDKIT_BIN_DIR.new/build-info"
  rm -rf "$BUILDKIT_BIN_DIR"
  mv "$BUILDKIT_BIN_DIR.new" "$BUILDKIT_BIN_DIR"
  # ~4 GB in ~150,000 files: removed in the background (half a minute).
  mv "$build" "$build.removing.$$"
  setsid nohup nice -n 19 rm -rf "$build.removing.$$" >/dev/null 2>&1 </dev/null 9>&- &
  buildkit_built || die "the compile left no buildkitd/buildctl in $BUILDKIT_BIN_DIR"
  log "compiled BuildKit $version in $((SECONDS - started))s (download ${download_s}s, unpack ${unpack_s}s, go build ${compile_s}s)"
  grep '^compiled=' "$BUILDKIT_BUILD_INFO" >>"$BUILDKIT_BUILD_LOG"
}

# Starts the compile in the background (after install_packages: it needs xz-utils):
# it takes minutes and needs nothing the rest of `up` starts, which runs
# meanwhile; buildkit_up waits for it. The lists
# are fetched first, in the foreground: the field's downloads read them too. If
# `up` fails before it waits, the compile still finishes (the next `up` reuses it).
start_buildkit_build() {
  buildkit_built && return 0
  mkdir -p "$BUILDKIT_BUILD_DIR"
  private_apt_update "$BUILDKIT_SUITE"
  build_buildkit 2>&1 | sed -u 's/^\[stack\] /[stack] (BuildKit compile) /' >&2 &
  BUILDKIT_BUILD_PID=$!
}

wait_buildkit_build() {
  if [[ -n ${BUILDKIT_BUILD_PID:-} ]]; then
    log "waiting for the BuildKit compile (log $BUILDKIT_BUILD_LOG)"
    wait "$BUILDKIT_BUILD_PID" || true
    BUILDKIT_BUILD_PID=""
    buildkit_built || die "compiling BuildKit failed (log $BUILDKIT_BUILD_LOG)"
    STARTED+=("BuildKit $(buildkit_version) compiled into $BUILDKIT_BIN_DIR, $(awk -F= '$1 == "compiled" { print $2 }' "$BUILDKIT_BUILD_INFO") (log $BUILDKIT_BUILD_LOG)")
  elif ! buildkit_built; then
    build_buildkit
    STARTED+=("BuildKit $(buildkit_version) compiled into $BUILDKIT_BIN_DIR, $(awk -F= '$1 == "compiled" { print $2 }' "$BUILDKIT_BUILD_INFO") (log $BUILDKIT_BUILD_LOG)")
  fi
}

# ---------------------------------------------------------------- buildkitd

# CA, server (IP:127.0.0.1) and client certificates, made once.
ensure_buildkit_tls() {
  local dir=$BUILDKIT_TLS_DIR ec=(-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes)
  [[ -s $dir/ca.pem && -s $dir/server.pem && -s $dir/client.pem && -s $dir/client.key ]] && return 0
  rm -rf "$dir.new"
  mkdir -p "$dir.new"
  (
    set -e
    cd "$dir.new"
    umask 077
    openssl req -x509 "${ec[@]}" -sha256 -days 3650 -subj /CN=dpa-buildkit-ca -keyout ca.key -out ca.pem
    openssl req "${ec[@]}" -subj /CN=dpa-buildkitd -keyout server.key -out server.csr
    printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n' >server.ext
    openssl x509 -req -sha256 -days 3650 -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -extfile server.ext -out server.pem
    openssl req "${ec[@]}" -subj /CN=dpa-buildx -keyout client.key -out client.csr
    printf 'extendedKeyUsage=clientAuth\n' >client.ext
    openssl x509 -req -sha256 -days 3650 -in client.csr -CA ca.pem -CAkey ca.key -CAcreateserial -extfile client.ext -out client.pem
    rm -f ./*.csr ./*.ext ./*.srl
    chmod 644 ca.pem server.pem client.pem
  ) >/dev/null 2>&1 || die "openssl could not make the BuildKit certificates in $dir.new"
  rm -rf "$dir"
  mv "$dir.new" "$dir"
  BUILDKITD_CONFIG_CHANGED[1]=1
  log "made the BuildKit CA, server and client certificates ($dir)"
}

buildkit_registries_toml() {
  local registry
  for registry in "${BUILDKIT_HTTP_REGISTRIES[@]}"; do
    printf '\n[registry."%s"]\n  http = true\n' "$registry"
  done
}

# Sets BUILDKITD_CONFIG_CHANGED[id]=1 when its buildkitd.toml changed.
configure_buildkitd() {
  local id=$1 name addresses
  name=$(buildkitd_name "$id")
  addresses="\"$(buildkitd_addr "$id")\""
  [[ $id != 1 ]] || addresses+=", \"tcp://$BUILDKIT_TCP_ADDR\""
  if write_if_changed "$(buildkitd_config "$id")" "# buildkitd #$id of the docker-publish-action stack (written by scripts/stack/lib/buildkit.sh)
root = \"/var/lib/$name\"
insecure-entitlements = [\"network.host\", \"security.insecure\"]

[grpc]
  address = [$addresses]
$(if [[ $id == 1 ]]; then printf '  [grpc.tls]\n    cert = "%s/server.pem"\n    key = "%s/server.key"\n    ca = "%s/ca.pem"\n' "$BUILDKIT_TLS_DIR" "$BUILDKIT_TLS_DIR" "$BUILDKIT_TLS_DIR"; fi)
[otel]
  socketPath = \"/var/lib/$name/otel-grpc.sock\"

[worker.oci]
  enabled = true
  binary = \"$FIELD_ROOT/usr/sbin/runc\"
  snapshotter = \"auto\"
  gc = true
  maxUsedSpace = \"4GB\"

[worker.containerd]
  enabled = false
$(buildkit_registries_toml)"; then
    BUILDKITD_CONFIG_CHANGED[$id]=1
  fi
}

buildkitd_answers() {
  timeout 5 "$BUILDKIT_BIN_DIR/buildctl" --addr "$(buildkitd_addr "$1")" debug workers >/dev/null 2>&1
}

buildkit_tcp_answers() {
  timeout 5 "$BUILDKIT_BIN_DIR/buildctl" --addr "tcp://$BUILDKIT_TCP_ADDR" \
    --tlsservername 127.0.0.1 --tlscacert "$BUILDKIT_TLS_DIR/ca.pem" \
    --tlscert "$BUILDKIT_TLS_DIR/client.pem" --tlskey "$BUILDKIT_TLS_DIR/client.key" \
    debug workers >/dev/null 2>&1
}

start_buildkitd() {
  local id=$1 name config pidfile logfile pid listeners
  name=$(buildkitd_name "$id") config=$(buildkitd_config "$id")
  pidfile=$(buildkitd_pidfile "$id") logfile=$(buildkitd_log "$id")
  if pid=$(live_pid "$pidfile" "$config") && [[ ${BUILDKITD_CONFIG_CHANGED[$id]:-0} -eq 1 ]]; then
    log "buildkitd #$id config changed; restarting pid $pid"
    stop_pid "$pid" "buildkitd #$id"
  fi
  if pid=$(live_pid "$pidfile" "$config"); then
    buildkitd_answers "$id" && return 0
    die "buildkitd #$id (pid $pid) runs but does not answer on $(buildkitd_addr "$id"); see $logfile"
  fi
  if [[ $id == 1 ]]; then
    listeners=$(listeners_on_port "${BUILDKIT_TCP_ADDR##*:}")
    [[ -z $listeners ]] || die "port ${BUILDKIT_TCP_ADDR##*:} is taken by something this script did not start:
$listeners"
  fi
  rm -f "/var/run/$name.sock"
  mkdir -p "/var/lib/$name"
  log "starting buildkitd #$id on $(buildkitd_addr "$id")$([[ $id != 1 ]] || echo " and tcp://$BUILDKIT_TCP_ADDR (mTLS)") (log: $logfile)"
  setsid nohup "$BUILDKIT_BIN_DIR/buildkitd" --config "$config" >>"$logfile" 2>&1 </dev/null 9>&- &
  pid=$!
  printf '%s\n' "$pid" >"$pidfile"
  await_ready "buildkitd #$id" "$pid" "$pidfile" "$logfile" "$BUILDKITD_WAIT_SECONDS" buildkitd_answers "$id"
  STARTED+=("buildkitd #$id $(buildkit_version) (pid $pid, $(buildkitd_addr "$id")$([[ $id != 1 ]] || echo ", tcp://$BUILDKIT_TCP_ADDR mTLS"), log $logfile)")
}

# ---------------------------------------------------------------- image

# Docker hosts of every engine the image goes into.
buildkit_image_hosts() {
  local engine
  printf '%s\n' "unix://$DOCKERD_SOCK" "$CLASSIC_DOCKER_HOST"
  for engine in "${FIELD_ENGINES[@]}"; do field_host "$engine"; done
}

# Names the image's content by its inputs (sizes and mtimes, not hashes: cheap).
buildkit_image_key() {
  {
    echo "recipe $BUILDKIT_IMAGE_RECIPE"
    cat "$BUILDKIT_BUILD_INFO" "$FIELD_STAMP"
    stat -L -c '%n %s %Y' "$BUILDKIT_BIN_DIR/buildkitd" "$BUILDKIT_BIN_DIR/buildctl" \
      "$FIELD_ROOT/usr/sbin/runc.debian" /bin/busybox "$(command -v git)"
  } | sha256sum | cut -c1-16
}

image_key_in() { # HOST IMAGE...: the images' content keys, one a line (none for a missing one)
  local host=$1
  shift
  DOCKER_HOST=$host docker image inspect -f '{{index .Config.Labels "org.dpa.buildkit.key"}}' "$@" 2>/dev/null || true
}

# Copies files $2... and the shared libraries ldd names into rootfs $1 (the ones
# already there, sid's glibc, stay).
copy_with_libs() {
  local root=$1 file lib
  shift
  for file in "$@"; do
    for lib in $(ldd "$file" 2>/dev/null | grep -oE '/[^ ]+\.so[^ ]*' || true); do
      [[ -e $root$lib ]] && continue
      mkdir -p "$root$(dirname "$lib")"
      cp -L "$lib" "$root$lib"
    done
  done
}

# scratch + static busybox + buildkitd/buildctl + sid's runc with sid's glibc and
# libseccomp + git (and git-remote-http) with bookworm's libraries + CA certificates.
make_buildkit_rootfs() {
  local root=$1 applet git_core lib file
  mkdir -p "$root"/{bin,usr/bin,usr/lib/x86_64-linux-gnu,usr/lib64,usr/share,etc/buildkit,etc/ssl/certs,var/lib/buildkit,tmp,root,run}
  ln -s usr/lib "$root/lib"
  ln -s usr/lib64 "$root/lib64"
  chmod 1777 "$root/tmp"
  cp /bin/busybox "$root/bin/busybox"
  for applet in $(/bin/busybox --list); do
    [[ -e $root/bin/$applet ]] || ln -s busybox "$root/bin/$applet"
  done
  cp "$BUILDKIT_BIN_DIR/buildkitd" "$BUILDKIT_BIN_DIR/buildctl" "$root/usr/bin/"
  cp "$FIELD_ROOT/usr/sbin/runc.debian" "$root/usr/bin/runc"
  for lib in "$FIELD_LIB_DIR"/ld-linux-x86-64.so.2 "$FIELD_LIB_DIR"/libc.so.6 "$FIELD_LIB_DIR"/libseccomp.so.2*; do
    cp -a "$lib" "$root/usr/lib/x86_64-linux-gnu/"
  done
  ln -s ../lib/x86_64-linux-gnu/ld-linux-x86-64.so.2 "$root/usr/lib64/ld-linux-x86-64.so.2"
  cp -L "$(command -v git)" "$root/usr/bin/git"
  git_core=$(git --exec-path)
  mkdir -p "$root$(dirname "$git_core")"
  cp -a "$git_core" "$root$git_core"
  [[ ! -d /usr/share/git-core ]] || cp -a /usr/share/git-core "$root/usr/share/"
  copy_with_libs "$root" "$(command -v git)" "$git_core/git-remote-http"
  [[ ! -f /etc/ssl/certs/ca-certificates.crt ]] || cp -L /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/"
  printf 'root:x:0:0:root:/root:/bin/sh\n' >"$root/etc/passwd"
  printf 'root:x:0:\n' >"$root/etc/group"
  # sid's loader resolves each binary's libraries inside the rootfs (git itself
  # wants /dev/null, which a chroot lacks and a container has).
  for file in /usr/bin/runc /usr/bin/git "$git_core/git-remote-http"; do
    chroot "$root" /usr/lib64/ld-linux-x86-64.so.2 --list "$file" >/dev/null 2>&1 \
      || die "$file misses libraries in the BuildKit image's rootfs ($root): $(chroot "$root" /usr/lib64/ld-linux-x86-64.so.2 --list "$file" 2>&1 | grep -m1 'not found')"
  done
  chroot "$root" /usr/bin/runc --version >/dev/null 2>&1 || die "runc does not start in the BuildKit image's rootfs ($root)"
}

# Imports the image into every engine that lacks this content, tagged
# local/buildkit:<version> and moby/buildkit:buildx-stable-1 (the engines at once).
ensure_buildkit_image() {
  local image key host hosts=() pids=() i failed=() work
  image=$(buildkit_image)
  key=$(buildkit_image_key)
  while read -r host; do
    [[ $(image_key_in "$host" "$image" "$BUILDKIT_STABLE_IMAGE") == "$key"$'\n'"$key" ]] || hosts+=("$host")
  done < <(buildkit_image_hosts)
  [[ ${#hosts[@]} -gt 0 ]] || return 0
  work=$(mktemp -d "$STACK_DIR/buildkit-image.XXXXXX")
  make_buildkit_rootfs "$work/rootfs"
  tar --numeric-owner -C "$work/rootfs" -cf "$work/rootfs.tar" .
  for host in "${hosts[@]}"; do
    (
      DOCKER_HOST=$host docker import \
        --change 'ENTRYPOINT ["buildkitd"]' --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
        --change 'VOLUME /var/lib/buildkit' --change "LABEL org.dpa.buildkit.key=$key" \
        --change "LABEL org.opencontainers.image.version=$(buildkit_version)" \
        "$work/rootfs.tar" "$image" >/dev/null && DOCKER_HOST=$host docker tag "$image" "$BUILDKIT_STABLE_IMAGE"
    ) &
    pids+=("$!")
  done
  for i in "${!pids[@]}"; do
    if wait "${pids[$i]}"; then
      STARTED+=("image $image = $BUILDKIT_STABLE_IMAGE in ${hosts[$i]}")
    else
      failed+=("${hosts[$i]}")
    fi
  done
  rm -rf "$work"
  [[ ${#failed[@]} -eq 0 ]] || die "docker import of $image (and tag $BUILDKIT_STABLE_IMAGE) failed in ${failed[*]}"
}

# ---------------------------------------------------------------- builders

# The arguments, joined by tabs (one `buildx create` a line).
tabbed() {
  local IFS=$'\t'
  printf '%s\n' "$*"
}

buildkit_builder_names() {
  printf '%s\n' dpa-remote dpa-remote-tls dpa-container-26 dpa-container-26-classic \
    dpa-container-28-classic dpa-container-28-containerd dpa-two-node
  ! field29_present || echo dpa-container-29-containerd
}

# The buildx that creates builder $1 (13, 29 or 36); builder_spec: its `buildx create`
# arguments, one line a node.
builder_buildx() {
  case $1 in
    dpa-container-28-*) echo 29 ;;
    dpa-container-29-*) echo 36 ;;
    *) echo 13 ;;
  esac
}

builder_spec() {
  local name=$1 tls=$BUILDKIT_TLS_DIR container
  container=$(tabbed --driver docker-container --driver-opt "image=$(buildkit_image),network=host" \
    --buildkitd-config "$BUILDKIT_CONTAINER_CONFIG")
  case $name in
    dpa-remote) tabbed --driver remote "$(buildkitd_addr 1)" ;;
    dpa-remote-tls)
      tabbed --driver remote --driver-opt \
        "cacert=$tls/ca.pem,cert=$tls/client.pem,key=$tls/client.key,servername=127.0.0.1" "tcp://$BUILDKIT_TCP_ADDR"
      ;;
    dpa-container-26) tabbed "$container" "unix://$DOCKERD_SOCK" ;;
    dpa-container-26-classic) tabbed "$container" "$CLASSIC_DOCKER_HOST" ;;
    dpa-container-28-classic) tabbed "$container" "$(field_host classic)" ;;
    dpa-container-28-containerd) tabbed "$container" "$(field_host containerd)" ;;
    dpa-container-29-containerd) tabbed "$container" "$(field_host 29-containerd)" ;;
    dpa-two-node)
      tabbed --driver remote --platform linux/amd64 "$(buildkitd_addr 1)"
      tabbed --append --driver remote --platform linux/arm64 "$(buildkitd_addr 2)"
      ;;
    *) die "unknown builder $name" ;;
  esac
}

# What the builder was made from: its spec plus, for docker-container, the
# image's content key and the buildkitd.toml buildx copied into the container
# (either changed needs a new container).
builder_fingerprint() {
  builder_spec "$1"
  if [[ $1 == dpa-container-* ]]; then
    echo "image $(buildkit_image_key)"
    echo "config $(sha256sum <"$BUILDKIT_CONTAINER_CONFIG" | cut -c1-16)"
  fi
}

buildx_for() { echo "buildx$(builder_buildx "$1")"; }

# Prints the nodes' statuses ("running", "inactive", "stopped"...), one a line;
# fails if buildx does not know the builder.
builder_statuses() {
  local out
  out=$("$(buildx_for "$1")" inspect "$1" 2>/dev/null) || return 1
  awk '$1 == "Status:" { print $2 }' <<<"$out"
}

builder_running() {
  local statuses
  statuses=$(builder_statuses "$1") || return 1
  all_running $statuses
}

# all_running STATUS...: there is one, and each is "running".
all_running() {
  local status
  [[ $# -gt 0 ]] || return 1
  for status in "$@"; do
    [[ $status == running ]] || return 1
  done
}

# BUILDER_STATUS[name]="status status..." for every builder buildx knows, from
# one `buildx ls` (buildx 0.13 reads the builders 0.29 made too).
declare -A BUILDER_STATUS=()
read_builder_statuses() {
  local name statuses
  BUILDER_STATUS=()
  while read -r name statuses; do
    BUILDER_STATUS[$name]=$statuses
  done < <({ buildx13 ls --format '{{json .}}' 2>/dev/null || true; } \
    | jq -r '"\(.Name) \([.Nodes[]? | .Status // "unknown"] | join(" "))"' 2>/dev/null | sort -u)
}

create_builder() {
  local name=$1 buildx line args
  buildx=$(buildx_for "$name")
  # rm also removes a docker-container builder's container; if its engine does
  # not answer, forget the builder anyway.
  "$buildx" rm "$name" >/dev/null 2>&1 || rm -f "$BUILDX_DIR/instances/$name"
  while IFS= read -r line; do
    IFS=$'\t' read -r -a args <<<"$line"
    if [[ $line == *docker-container* ]]; then
      # A container (and state volume) left by a builder of this name whose state
      # folder is gone: the bootstrap would start it again, with its old image.
      DOCKER_HOST=${args[-1]} docker rm -f -v "buildx_buildkit_${name}0" >/dev/null 2>&1 || true
      DOCKER_HOST=${args[-1]} docker volume rm "buildx_buildkit_${name}0_state" >/dev/null 2>&1 || true
    fi
    "$buildx" create --name "$name" "${args[@]}" >>"$LOG_DIR/buildx.log" 2>&1 \
      || { log_tail "$LOG_DIR/buildx.log"; die "$buildx create --name $name ${args[*]} failed"; }
  done < <(builder_spec "$name")
}

bootstrap_builder() {
  "$(buildx_for "$1")" inspect --bootstrap "$1" >>"$LOG_DIR/buildx.log" 2>&1
}

# Creates the builder if it is missing or was made from another spec, and
# bootstraps it unless it runs; a builder that does not boot is made again.
ensure_builder() {
  local name=$1 spec_file fingerprint
  spec_file=$BUILDKIT_DIR/builders/$name
  fingerprint=$(builder_fingerprint "$name")
  if builder_statuses "$name" >/dev/null && [[ -f $spec_file && $(<"$spec_file") == "$fingerprint" ]]; then
    builder_running "$name" && return 0
    if bootstrap_builder "$name" && builder_running "$name"; then
      STARTED+=("builder $name (bootstrapped, buildx $(builder_buildx "$name"))")
      return 0
    fi
    log "builder $name does not boot; making it again (buildx log: $LOG_DIR/buildx.log)"
  fi
  mkdir -p "$(dirname "$spec_file")"
  rm -f "$spec_file"
  create_builder "$name"
  if ! bootstrap_builder "$name" || ! builder_running "$name"; then
    log_tail "$LOG_DIR/buildx.log"
    die "builder $name did not boot"
  fi
  printf '%s\n' "$fingerprint" >"$spec_file"
  STARTED+=("builder $name (created and bootstrapped by buildx $(builder_buildx "$name"))")
}

# ensure_builder for every builder at once (a docker-container bootstrap takes
# seconds, each on its own engine); buildx serialises its state folder itself.
ensure_builders() {
  local name i pids=() names=() failed=() started spec_file
  mkdir -p "$BUILDKIT_DIR/builders"
  read_builder_statuses
  while read -r name; do
    spec_file=$BUILDKIT_DIR/builders/$name
    # shellcheck disable=SC2086 # the statuses are words
    if all_running ${BUILDER_STATUS[$name]:-} && [[ -f $spec_file && $(<"$spec_file") == "$(builder_fingerprint "$name")" ]]; then
      continue
    fi
    started=$BUILDKIT_DIR/builders/$name.started
    rm -f "$started"
    # shellcheck disable=SC2030,SC2031 # each subshell reports through $started
    (
      STARTED=()
      ensure_builder "$name"
      [[ ${#STARTED[@]} -eq 0 ]] || printf '%s\n' "${STARTED[@]}" >"$started"
    ) &
    pids+=("$!")
    names+=("$name")
  done < <(buildkit_builder_names)
  for i in "${!pids[@]}"; do
    wait "${pids[$i]}" || failed+=("${names[$i]}")
    started=$BUILDKIT_DIR/builders/${names[$i]}.started
    if [[ -f $started ]]; then
      # shellcheck disable=SC2031 # the parent's STARTED
      mapfile -t -O "${#STARTED[@]}" STARTED <"$started"
      rm -f "$started"
    fi
  done
  [[ ${#failed[@]} -eq 0 ]] || die "builder(s) ${failed[*]} did not come up (buildx log: $LOG_DIR/buildx.log)"
}

write_container_buildkitd_config() {
  write_if_changed "$BUILDKIT_CONTAINER_CONFIG" "# buildkitd.toml of the stack's docker-container builders (written by scripts/stack/lib/buildkit.sh)
[worker.oci]
  gc = true
  maxUsedSpace = \"4GB\"
$(buildkit_registries_toml)" || true
}

# ---------------------------------------------------------------- commands

buildkit_up() {
  local id
  wait_buildkit_build
  ensure_buildkit_tls
  mkdir -p "$BUILDKIT_DIR/docker-config" "$BUILDX_DIR"
  for id in "${BUILDKITD_IDS[@]}"; do
    configure_buildkitd "$id"
    start_buildkitd "$id"
  done
  buildkit_tcp_answers || die "buildkitd #1 does not answer on tcp://$BUILDKIT_TCP_ADDR with the client certificate; see $(buildkitd_log 1)"
  ensure_buildkit_image
  write_container_buildkitd_config
  ensure_builders
}

buildkit_status() {
  local id pid name statuses rc=0
  if buildkit_built; then
    echo "BuildKit: $(buildkit_version) in $BUILDKIT_BIN_DIR ($(tr '\n' ' ' <"$BUILDKIT_BUILD_INFO" | sed 's/ $//'))"
  else
    echo "BuildKit: not compiled ($BUILDKIT_BIN_DIR)"
    return 1
  fi
  for id in "${BUILDKITD_IDS[@]}"; do
    if pid=$(live_pid "$(buildkitd_pidfile "$id")" "$(buildkitd_config "$id")") && buildkitd_answers "$id"; then
      echo "buildkitd #$id: running (pid $pid) on $(buildkitd_addr "$id"), log $(buildkitd_log "$id")"
    else
      echo "buildkitd #$id: not running"
      rc=1
    fi
  done
  if buildkit_tcp_answers; then
    echo "buildkitd #1 on tcp://$BUILDKIT_TCP_ADDR: answers with the client certificate ($BUILDKIT_TLS_DIR)"
  else
    echo "buildkitd #1 on tcp://$BUILDKIT_TCP_ADDR: does not answer"
    rc=1
  fi
  local host missing=() down=()
  while read -r host; do
    if ! timeout 10 env DOCKER_HOST="$host" docker version --format '{{.Server.Version}}' >/dev/null 2>&1; then
      down+=("$host")
    elif [[ $(image_key_in "$host" "$(buildkit_image)" "$BUILDKIT_STABLE_IMAGE" | grep -c .) -ne 2 ]]; then
      missing+=("$host")
    fi
  done < <(buildkit_image_hosts)
  if [[ ${#missing[@]} -eq 0 && ${#down[@]} -eq 0 ]]; then
    echo "BuildKit image $(buildkit_image) = $BUILDKIT_STABLE_IMAGE: in all four engines"
  else
    echo "BuildKit image $(buildkit_image) = $BUILDKIT_STABLE_IMAGE:${missing[*]:+ missing in ${missing[*]}}${down[*]:+ (engines not answering: ${down[*]})}"
    rc=1
  fi
  read_builder_statuses
  while read -r name; do
    if [[ -v BUILDER_STATUS[$name] ]]; then
      statuses=${BUILDER_STATUS[$name]}
      echo "builder $name (buildx $(builder_buildx "$name")): ${statuses:-no status (its engine does not answer?)}"
      # shellcheck disable=SC2086 # the statuses are words
      all_running $statuses || rc=1
    else
      echo "builder $name: missing (BUILDX_CONFIG=$BUILDX_DIR)"
      rc=1
    fi
  done < <(buildkit_builder_names)
  return "$rc"
}

buildkit_summary() {
  local name
  log "  BuildKit $(buildkit_version) ($(grep -E '^(docker.io|go)=' "$BUILDKIT_BUILD_INFO" | tr '\n' ' ' | sed 's/ $//')): buildkitd #1 $(buildkitd_addr 1) + tcp://$BUILDKIT_TCP_ADDR (mTLS, $BUILDKIT_TLS_DIR), #2 $(buildkitd_addr 2); image $(buildkit_image) = $BUILDKIT_STABLE_IMAGE"
  log "  builders (BUILDX_CONFIG=$BUILDX_DIR): $(while read -r name; do printf '%s (buildx %s) ' "$name" "$(builder_buildx "$name")"; done < <(buildkit_builder_names))"
}

stop_buildkit() {
  local id
  for id in 2 1; do
    stop_started "$(buildkitd_name "$id"):$(buildkitd_config "$id")"
  done
}

buildkit_env() {
  [[ -r $BUILDKIT_BUILD_INFO && -r $BUILDKIT_TLS_DIR/client.key ]] \
    || die "$BUILDKIT_BUILD_INFO or $BUILDKIT_TLS_DIR/client.key missing or unreadable: run '$0 up' first (as root)"
  printf 'export DPA_BUILDX_CONFIG=%q\n' "$BUILDX_DIR"
  printf 'export DPA_BUILDKIT_VERSION=%q\n' "$(buildkit_version)"
  printf 'export DPA_BUILDKIT_SOCK=%q\n' "$(buildkitd_addr 1)"
  printf 'export DPA_BUILDKIT_TCP=%q\n' "tcp://$BUILDKIT_TCP_ADDR"
  printf 'export DPA_BUILDKIT_TLS_DIR=%q\n' "$BUILDKIT_TLS_DIR"
}
