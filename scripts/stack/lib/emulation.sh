# Sourced by stack.sh: what the e2e of the step's emulation (QEMU through binfmt_misc) needs,
# from Debian's packages only (no Docker Hub):
#   - a two-platform base image, $EMULATION_BASE_REF (linux/amd64 + linux/arm64, an OCI index in
#     registry A): bookworm's busybox-static for each architecture (arm64's fetched with a
#     private apt setup, lib/private-apt.sh, nothing installed), built FROM scratch with ADD on
#     the default engine (no RUN: nothing foreign runs) and pushed;
#   - a stand-in of tonistiigi/binfmt, tagged $BINFMT_IMAGE (the name the action pulls) in
#     every engine: static busybox + bookworm's qemu-aarch64-static and qemu-arm-static, and
#     scripts/stack/binfmt-standin.sh as its entrypoint, which takes tonistiigi/binfmt's
#     arguments (--install arm64,arm | all, --uninstall qemu-aarch64, none: status) and
#     registers handlers as its install() does: `:qemu-<cpu>:M:0:<magic>:<mask>:/usr/bin/
#     qemu-<cpu>:CF`, magic and mask as the kernel's \x escapes from Debian's
#     /usr/share/binfmts/qemu-<cpu> (never decoded: a NUL would cut them short).
# It installs no handler: only the action (or a test) does. It mounts binfmt_misc on the host, as
# systemd's proc-sys-fs-binfmt_misc.automount does on GitHub's ubuntu runners: since Linux 6.7 a
# handler lasts only while its binfmt_misc is mounted somewhere, so one that a privileged
# container registers (tonistiigi/binfmt mounts it, registers, and unmounts) is gone when the
# container ends unless the host keeps it mounted.
# Uses helpers and variables of stack.sh, lib/private-apt.sh and lib/field-docker.sh.

EMULATION_DIR=$STACK_DIR/emulation
EMULATION_APT=bookworm-arm64
PRIVATE_APT_SUITE[$EMULATION_APT]=bookworm
PRIVATE_APT_ARCH[$EMULATION_APT]=arm64
EMULATION_BASE_REPO=base/busybox
EMULATION_BASE_REF=$REGISTRY_HOST:${REGISTRY_PORT[a]}/$EMULATION_BASE_REPO:latest
BINFMT_IMAGE=tonistiigi/binfmt:latest
# binfmt's architecture => qemu's CPU name (its handler is qemu-<cpu>)
declare -A EMULATION_CPUS=([arm64]=aarch64 [arm]=arm)

# The qemu-user-static and arm64 busybox-static packages, unpacked once under $EMULATION_DIR.
emulation_packages() {
  local debs
  [[ -x $EMULATION_DIR/qemu/usr/bin/qemu-aarch64-static && -x $EMULATION_DIR/arm64/bin/busybox ]] \
    && return 0
  debs=$EMULATION_DIR/debs
  mkdir -p "$debs"
  (cd "$debs" && apt-get download -q qemu-user-static >>"$LOG_DIR/apt.log" 2>&1) \
    || die "apt-get download qemu-user-static failed (log $LOG_DIR/apt.log)"
  private_apt_update "$EMULATION_APT"
  (cd "$debs" && private_apt "$EMULATION_APT" apt-get download busybox-static:arm64 \
    >>"$LOG_DIR/apt.log" 2>&1) \
    || die "apt-get download busybox-static:arm64 failed (log $LOG_DIR/apt.log)"
  rm -rf "$EMULATION_DIR/qemu" "$EMULATION_DIR/arm64"
  dpkg -x "$debs"/qemu-user-static_*_amd64.deb "$EMULATION_DIR/qemu" \
    && dpkg -x "$debs"/busybox-static_*_arm64.deb "$EMULATION_DIR/arm64" \
    || die "dpkg -x of the emulation packages failed"
  rm -f "$debs"/*.deb
}

# A busybox root (busybox binary $1) in folder $2, as ensure_base_image makes it.
busybox_rootfs() {
  local busybox=$1 root=$2 applet
  mkdir -p "$root"/{bin,etc,root,tmp}
  chmod 1777 "$root/tmp"
  cp "$busybox" "$root/bin/busybox"
  for applet in $(/bin/busybox --list); do
    [[ $applet == busybox ]] || ln -s busybox "$root/bin/$applet"
  done
  printf 'root:x:0:0:root:/root:/bin/sh\n' >"$root/etc/passwd"
  printf 'root:x:0:\n' >"$root/etc/group"
}

# registry A's answer (HTTP status) for the base image's index.
emulation_base_status() {
  curl -s -o /dev/null -w '%{http_code}' -u "${REGISTRY_USER[a]}:$(registry_password a)" \
    -H 'Accept: application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.list.v2+json' \
    "http://$REGISTRY_HOST:${REGISTRY_PORT[a]}/v2/$EMULATION_BASE_REPO/manifests/latest" || true
}

# Builds folder $1 (its Dockerfile; no RUN, so nothing foreign runs) for linux/amd64 and
# linux/arm64 on the default engine (containerd store) and pushes it to registry A as $2, with a
# docker config of its own (in $1/config); $3 names the log, $4 the image in a failure.
push_two_platforms() {
  local work=$1 ref=$2 log=$LOG_DIR/$3.log
  mkdir -p "$work/config"
  registry_password a | DOCKER_CONFIG=$work/config docker login -u "${REGISTRY_USER[a]}" \
    --password-stdin "$REGISTRY_HOST:${REGISTRY_PORT[a]}" >/dev/null 2>&1 \
    || die "docker login to registry a failed ($4)"
  DOCKER_CONFIG=$work/config docker buildx build --builder default \
    --platform linux/amd64,linux/arm64 --provenance=false --sbom=false --push \
    -t "$ref" "$work" >"$log" 2>&1 || { log_tail "$log"; die "$4 did not build"; }
}

# Builds the two-platform base image on the default engine (containerd store) and pushes it.
ensure_emulation_base() {
  local work arch
  [[ $(emulation_base_status) == 200 ]] && return 0
  work=$(mktemp -d "$STACK_DIR/emulation-base.XXXXXX")
  for arch in amd64 arm64; do
    if [[ $arch == amd64 ]]; then
      busybox_rootfs /bin/busybox "$work/$arch"
    else
      busybox_rootfs "$EMULATION_DIR/arm64/bin/busybox" "$work/$arch"
    fi
    tar --numeric-owner -C "$work/$arch" -cf "$work/rootfs-$arch.tar" .
    rm -rf "${work:?}/$arch"
  done
  printf '%s\n' 'FROM scratch' 'ARG TARGETARCH' 'ADD rootfs-${TARGETARCH}.tar /' \
    'ENV PATH=/bin' 'CMD ["/bin/sh"]' >"$work/Dockerfile"
  push_two_platforms "$work" "$EMULATION_BASE_REF" emulation-base "the emulation base image"
  rm -rf "$work"
  STARTED+=("base image $EMULATION_BASE_REF (linux/amd64 + linux/arm64, busybox-static)")
}

# The stand-in's image content key: its entrypoint and the qemu package.
binfmt_key() {
  { cat "$STACK_SCRIPT_DIR/binfmt-standin.sh"; ls -l "$EMULATION_DIR/qemu/usr/bin"; } \
    | sha256sum | cut -c1-16
}

# The handler table the entrypoint reads: "<arch> <cpu> <magic> <mask>" lines.
binfmt_table() {
  local arch cpu file
  for arch in "${!EMULATION_CPUS[@]}"; do
    cpu=${EMULATION_CPUS[$arch]}
    file=$EMULATION_DIR/qemu/usr/share/binfmts/qemu-$cpu
    printf '%s %s %s %s\n' "$arch" "$cpu" "$(awk '$1 == "magic" { print $2 }' "$file")" \
      "$(awk '$1 == "mask" { print $2 }' "$file")"
  done
}

# Imports the stand-in into every engine that lacks this content.
ensure_binfmt_image() {
  local key host hosts=() work arch
  key=$(binfmt_key)
  while read -r host; do
    [[ $(DOCKER_HOST=$host docker image inspect -f '{{index .Config.Labels "org.dpa.binfmt.key"}}' \
      "$BINFMT_IMAGE" 2>/dev/null) == "$key" ]] || hosts+=("$host")
  done < <(buildkit_image_hosts)
  [[ ${#hosts[@]} -gt 0 ]] || return 0
  work=$(mktemp -d "$STACK_DIR/binfmt-image.XXXXXX")
  busybox_rootfs /bin/busybox "$work/root"
  mkdir -p "$work/root/usr/bin" "$work/root/etc/binfmt"
  for arch in "${!EMULATION_CPUS[@]}"; do
    cp "$EMULATION_DIR/qemu/usr/bin/qemu-${EMULATION_CPUS[$arch]}-static" \
      "$work/root/usr/bin/qemu-${EMULATION_CPUS[$arch]}"
  done
  binfmt_table >"$work/root/etc/binfmt/handlers"
  cp "$STACK_SCRIPT_DIR/binfmt-standin.sh" "$work/root/usr/bin/binfmt"
  chmod 755 "$work/root/usr/bin/binfmt"
  tar --numeric-owner -C "$work/root" -cf "$work/root.tar" .
  for host in "${hosts[@]}"; do
    DOCKER_HOST=$host docker import --change 'ENTRYPOINT ["/usr/bin/binfmt"]' \
      --change 'ENV PATH=/bin:/usr/bin' --change "LABEL org.dpa.binfmt.key=$key" \
      "$work/root.tar" "$BINFMT_IMAGE" >/dev/null \
      || die "docker import of $BINFMT_IMAGE failed in $host"
    STARTED+=("image $BINFMT_IMAGE (stand-in: bookworm's qemu-user-static) in $host")
  done
  rm -rf "$work"
}

BINFMT_MISC=/proc/sys/fs/binfmt_misc

ensure_binfmt_misc_mounted() {
  [[ -e $BINFMT_MISC/status ]] && return 0
  mount -t binfmt_misc binfmt_misc "$BINFMT_MISC" || die "cannot mount binfmt_misc at $BINFMT_MISC"
  STARTED+=("binfmt_misc mounted at $BINFMT_MISC")
}

emulation_up() {
  ensure_binfmt_misc_mounted
  emulation_packages
  ensure_emulation_base
  ensure_binfmt_image
}

emulation_status() {
  local host rc=0
  if [[ -e $BINFMT_MISC/status ]]; then
    echo "binfmt_misc: mounted at $BINFMT_MISC, handlers: $(find "$BINFMT_MISC" -mindepth 1 \
      ! -name register ! -name status -printf '%f ' | sed 's/ $//')"
  else
    echo "binfmt_misc: not mounted at $BINFMT_MISC"
    rc=1
  fi
  if [[ $(emulation_base_status) == 200 ]]; then
    echo "emulation base image $EMULATION_BASE_REF: present"
  else
    echo "emulation base image $EMULATION_BASE_REF: not available"
    rc=1
  fi
  while read -r host; do
    if DOCKER_HOST=$host docker image inspect "$BINFMT_IMAGE" >/dev/null 2>&1; then
      echo "$BINFMT_IMAGE (stand-in) in $host: present"
    else
      echo "$BINFMT_IMAGE (stand-in) in $host: not available"
      rc=1
    fi
  done < <(buildkit_image_hosts)
  return "$rc"
}

emulation_env() {
  printf 'export DPA_EMULATION_BASE=%q\n' "$EMULATION_BASE_REF"
  printf 'export DPA_BINFMT_IMAGE=%q\n' "$BINFMT_IMAGE"
}
