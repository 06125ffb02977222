#!/usr/bin/env bash
# Records what one buildx version really writes, into test/fixtures/buildx-output/<version>/:
#   - OCI layouts and metadata files of test/fixtures/contexts/hello (the unit tests read them
#     as a run does): one-platform-three-tags, two-platforms-provenance;
#   - its progress (plain, and rawjson where buildx has it, >= 0.15) of
#     test/fixtures/contexts/progress: cold (the base image's layers downloaded, a RUN),
#     warm (the same build again: every step CACHED) and failed (a COPY of a missing file).
# Each on the containerd store's docker driver of the stack's engine of that buildx.
#
# Usage (the stack up, as root): scripts/record-buildx-output.sh 0.13|0.29|0.36
set -euo pipefail
cd "$(dirname "$0")/.."
eval "$(bash scripts/stack/stack.sh env)"

version=${1:?usage: $0 0.13|0.29|0.36}
case $version in
  0.13) docker=docker host=unix:///var/run/docker.sock plugins= ;;
  0.29) docker=$DPA_FIELD_BIN/docker host=$DPA_FIELD_CONTAINERD_DOCKER_HOST plugins=$DPA_FIELD_CLI_PLUGINS ;;
  0.36)
    docker=${DPA_FIELD29_BIN:?the stack runs no Docker 29 (no ../shared/field29)}/docker
    host=$DPA_FIELD29_CONTAINERD_DOCKER_HOST plugins=$DPA_FIELD29_CLI_PLUGINS
    ;;
  *) echo "unknown buildx version $version (0.13, 0.29 or 0.36)" >&2; exit 2 ;;
esac
out=test/fixtures/buildx-output/$version
config=$(mktemp -d)
trap 'rm -rf "$config"' EXIT
if [[ -n $plugins ]]; then
  jq -n --arg dir "$plugins" '{cliPluginsExtraDirs: [$dir]}' >"$config/config.json"
fi
build() { DOCKER_HOST=$host DOCKER_CONFIG=$config "$docker" buildx build "$@"; }
printf '%s' "$DPA_REGISTRY_A_PASSWORD" | DOCKER_HOST=$host DOCKER_CONFIG=$config \
  "$docker" login -u "$DPA_REGISTRY_A_USER" --password-stdin "$DPA_REGISTRY_A" >/dev/null 2>&1
mkdir -p "$out"
"$docker" --config "$config" buildx version >&2

layout() { # NAME BUILD-ARGS...
  local name=$1
  shift
  rm -rf "${out:?}/$name" "$out/$name.metadata.json"
  build --progress=quiet --output "type=oci,dest=$out/$name,tar=false" \
    --metadata-file "$out/$name.metadata.json" "$@" test/fixtures/contexts/hello >/dev/null
}
layout one-platform-three-tags --platform linux/amd64 -t r/app:1 -t r/app:1.2 -t r/app:1.2.3
layout two-platforms-provenance --platform linux/amd64,linux/arm64 --provenance=mode=min \
  -t r/app:1 -t r/app:1.2

# A base of its own each time, made on another engine (the stack's 26.1 classic store), so
# the cold build downloads a layer its engine has never held.
progress() { # MODE
  local mode=$1 base
  base=$DPA_REGISTRY_A/record/busybox:$version-$mode-$RANDOM$RANDOM
  local other=(env DOCKER_HOST="$DPA_CLASSIC_DOCKER_HOST" DOCKER_CONFIG="$config" docker)
  printf 'FROM local/busybox:latest\nRUN head -c 65536 /dev/urandom > /nonce\n' \
    | "${other[@]}" build -q --no-cache -t "$base" - >/dev/null
  "${other[@]}" push -q "$base" >/dev/null
  "${other[@]}" image rm "$base" >/dev/null
  build --progress="$mode" --build-arg "BASE=$base" test/fixtures/contexts/progress \
    2>"$out/progress-cold.$mode" >/dev/null
  build --progress="$mode" --build-arg "BASE=$base" test/fixtures/contexts/progress \
    2>"$out/progress-warm.$mode" >/dev/null
  if build --progress="$mode" test/fixtures/contexts/broken 2>"$out/progress-failed.$mode" >/dev/null; then
    echo "the broken context built" >&2
    exit 1
  fi
  DOCKER_HOST=$host DOCKER_CONFIG=$config "$docker" image rm "$base" >/dev/null 2>&1 || true
}
printf '%s' "$DPA_REGISTRY_A_PASSWORD" | DOCKER_HOST=$DPA_CLASSIC_DOCKER_HOST DOCKER_CONFIG=$config \
  docker login -u "$DPA_REGISTRY_A_USER" --password-stdin "$DPA_REGISTRY_A" >/dev/null 2>&1
progress plain
[[ $version == 0.13 ]] || progress rawjson
ls -la "$out" >&2
