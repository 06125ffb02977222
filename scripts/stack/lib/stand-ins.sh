# Sourced by stack.sh: the stand-ins of the images the step runs itself, reachable by digest.
# The step pins tonistiigi/binfmt and moby/buildkit by digest (PINNED_IMAGES in
# src/settings/build-settings.ts): Docker Hub's images, which this offline stack does not hold
# and whose digests no stand-in can have. The stack's stand-ins are local images under the
# moving tags ($BINFMT_IMAGE from lib/emulation.sh, $BUILDKIT_STABLE_IMAGE from lib/buildkit.sh);
# this pushes each from the default engine to registry A (stand-ins/binfmt:latest,
# stand-ins/buildkit:buildx-stable-1), so that a test gives the step, through the input that
# overrides the default (qemu, buildkit-image), a reference of the default's shape,
# <name>:<tag>@sha256:<digest>, which docker pulls by digest. The references are kept in
# $STANDINS_REFS for `env` (DPA_STANDIN_BINFMT, DPA_STANDIN_BUILDKIT).
# Uses helpers and variables of stack.sh, lib/emulation.sh and lib/buildkit.sh.

STANDINS_REFS=$STACK_DIR/stand-ins.env
declare -A STANDIN_SOURCES=([binfmt]=$BINFMT_IMAGE [buildkit]=$BUILDKIT_STABLE_IMAGE)
declare -A STANDIN_TAGS=([binfmt]=latest [buildkit]=buildx-stable-1)
STANDIN_ACCEPT='application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json,
  application/vnd.docker.distribution.manifest.list.v2+json,
  application/vnd.docker.distribution.manifest.v2+json'

# registry A's name of a stand-in, with its tag.
standin_ref() {
  printf '%s:%s/stand-ins/%s:%s' "$REGISTRY_HOST" "${REGISTRY_PORT[a]}" "$1" "${STANDIN_TAGS[$1]}"
}

# registry A's digest of a stand-in's tag (nothing when it has none).
standin_digest() {
  curl -sI -u "${REGISTRY_USER[a]}:$(registry_password a)" -H "Accept: ${STANDIN_ACCEPT//$'\n'/}" \
    "http://$REGISTRY_HOST:${REGISTRY_PORT[a]}/v2/stand-ins/$1/manifests/${STANDIN_TAGS[$1]}" \
    | tr -d '\r' | awk 'tolower($1) == "docker-content-digest:" { print $2 }'
}

# The image ID of a stand-in in the default engine (what was pushed is recorded beside its ref).
standin_id() { docker image inspect -f '{{.Id}}' "${STANDIN_SOURCES[$1]}" 2>/dev/null; }

# Pushes each stand-in that registry A lacks, or whose local image changed; records the refs.
ensure_pinned_standins() {
  local name work id digest refs=''
  for name in binfmt buildkit; do
    id=$(standin_id "$name") || die "${STANDIN_SOURCES[$name]} missing in the default engine"
    digest=$(standin_digest "$name")
    if [[ -z $digest ]] || ! grep -qxF "$name-id=$id" "$STANDINS_REFS" 2>/dev/null; then
      work=$(mktemp -d "$STACK_DIR/stand-ins.XXXXXX")
      registry_password a | DOCKER_CONFIG=$work docker login -u "${REGISTRY_USER[a]}" \
        --password-stdin "$REGISTRY_HOST:${REGISTRY_PORT[a]}" >/dev/null 2>&1 \
        || die "docker login to registry a failed (the stand-ins)"
      docker tag "${STANDIN_SOURCES[$name]}" "$(standin_ref "$name")"
      DOCKER_CONFIG=$work docker push -q "$(standin_ref "$name")" >"$LOG_DIR/stand-ins.log" 2>&1 \
        || { log_tail "$LOG_DIR/stand-ins.log"; die "docker push of $(standin_ref "$name") failed"; }
      docker rmi "$(standin_ref "$name")" >/dev/null
      rm -rf "$work"
      digest=$(standin_digest "$name")
      [[ -n $digest ]] || die "registry a has no digest for $(standin_ref "$name")"
      STARTED+=("stand-in $(standin_ref "$name")@$digest in registry a")
    fi
    refs+="$name=$(standin_ref "$name")@$digest"$'\n'"$name-id=$id"$'\n'
  done
  printf '%s' "$refs" >"$STANDINS_REFS"
}

standins_status() {
  local name
  for name in binfmt buildkit; do
    if [[ -n $(standin_digest "$name") ]]; then
      echo "stand-in $(standin_ref "$name") in registry a: present"
    else
      echo "stand-in $(standin_ref "$name") in registry a: not available"
      return 1
    fi
  done
}

standins_env() {
  local name ref
  for name in binfmt buildkit; do
    ref=$(sed -n "s/^$name=//p" "$STANDINS_REFS" 2>/dev/null)
    [[ -n $ref ]] && printf 'export DPA_STANDIN_%s=%q\n' "${name^^}" "$ref"
  done
  return 0
}
