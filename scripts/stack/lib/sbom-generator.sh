# Sourced by stack.sh: a stand-in of BuildKit's SBOM generator image, for the e2e of
# `github-attestations: provenance,sbom` (the SBOM BuildKit makes, attested). BuildKit's default
# generator, docker/buildkit-syft-scanner, is on Docker Hub, which this offline stack does not
# reach; scripts/stack/sbom-generator.sh follows BuildKit's SBOM scanner protocol
# (moby/buildkit docs/attestations/sbom-protocol.md; its header says what else it rests on). The
# image is the two-platform busybox base ($EMULATION_BASE_REF, lib/emulation.sh: BuildKit runs a
# generator for the build's own platform) with the script as its entrypoint, built on the
# default engine (no RUN: nothing foreign runs) and pushed to registry A as
# stand-ins/sbom-generator:latest; a test names it in `sbom: generator=<ref>`. It is built again
# when the script changes (its sha256 is kept beside the ref). `env` gives DPA_SBOM_GENERATOR,
# name:tag@sha256:….
# Uses helpers and variables of stack.sh, lib/emulation.sh (push_two_platforms) and
# lib/stand-ins.sh.

SBOM_GENERATOR_REF=$REGISTRY_HOST:${REGISTRY_PORT[a]}/stand-ins/sbom-generator:latest
SBOM_GENERATOR_FILE=$STACK_DIR/sbom-generator.env

# registry A's digest of the generator's tag (nothing when it has none).
sbom_generator_digest() {
  curl -sI -u "${REGISTRY_USER[a]}:$(registry_password a)" -H "Accept: ${STANDIN_ACCEPT//$'\n'/}" \
    "http://$REGISTRY_HOST:${REGISTRY_PORT[a]}/v2/stand-ins/sbom-generator/manifests/latest" \
    | tr -d '\r' | awk 'tolower($1) == "docker-content-digest:" { print $2 }'
}

sbom_generator_key() { sha256sum "$STACK_SCRIPT_DIR/sbom-generator.sh" | cut -c1-16; }

# Builds and pushes the generator where registry A lacks it or the script changed.
ensure_sbom_generator() {
  local key digest work
  key=$(sbom_generator_key)
  digest=$(sbom_generator_digest)
  if [[ -n $digest ]] && grep -qxF "key=$key" "$SBOM_GENERATOR_FILE" 2>/dev/null; then
    return 0
  fi
  work=$(mktemp -d "$STACK_DIR/sbom-generator.XXXXXX")
  cp "$STACK_SCRIPT_DIR/sbom-generator.sh" "$work/sbom-generator"
  printf '%s\n' "FROM $EMULATION_BASE_REF" 'COPY --chmod=755 sbom-generator /bin/sbom-generator' \
    'ENTRYPOINT ["/bin/sbom-generator"]' >"$work/Dockerfile"
  push_two_platforms "$work" "$SBOM_GENERATOR_REF" sbom-generator "the SBOM generator image"
  rm -rf "$work"
  digest=$(sbom_generator_digest)
  [[ -n $digest ]] || die "registry a has no digest for $SBOM_GENERATOR_REF"
  printf 'ref=%s@%s\nkey=%s\n' "$SBOM_GENERATOR_REF" "$digest" "$key" >"$SBOM_GENERATOR_FILE"
  STARTED+=("SBOM generator $SBOM_GENERATOR_REF@$digest in registry a")
}

sbom_generator_status() {
  if [[ -n $(sbom_generator_digest) ]]; then
    echo "SBOM generator $SBOM_GENERATOR_REF in registry a: present"
  else
    echo "SBOM generator $SBOM_GENERATOR_REF in registry a: not available"
    return 1
  fi
}

sbom_generator_env() {
  local ref
  ref=$(sed -n 's/^ref=//p' "$SBOM_GENERATOR_FILE" 2>/dev/null)
  [[ -n $ref ]] && printf 'export DPA_SBOM_GENERATOR=%q\n' "$ref"
  return 0
}
