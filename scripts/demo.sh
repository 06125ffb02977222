#!/usr/bin/env bash
# The action's main job, locally: brings the stack up, publishes a sample image
# from this checkout with the tags its git ref computes to (the bundled CLI, the
# same engine as the action), then lists what landed in the registry.
#
# As on a runner: the job has GitHub's cache service (the stack's results service
# stand-in, its tenant "demo", kept between runs, a runtime token for
# refs/heads/main), so `cache: auto` exports to it and a second run reads it back.
# The build runs on today's runner's engine, the stack's Docker 29.4 (its default
# containerd store) with its CLI and buildx 0.36 (Docker 28.5's containerd store and
# buildx 0.29 where the stack runs no 29): the default engine's buildx 0.13 does not
# speak the cache service v2, and there the action falls back to the inline cache.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/stack/stack.sh up
eval "$(bash scripts/stack/stack.sh env)"
repo=demo/docker-publish-action
image="$DPA_REGISTRY_A/$repo"

# the results service's tenant for the demo, and a job's env on the default branch
curl -fsS -X POST "$DPA_RESULTS_SERVICE/tenants" -d '{"name":"demo"}' >/dev/null
job_env=$(curl -fsS -X POST "$DPA_RESULTS_SERVICE/tenants/demo/env" \
  -d "{\"run\":\"demo\",\"job\":\"demo-$(date +%s%N)\",\"refs\":{\"ref\":\"refs/heads/main\"}}")
ACTIONS_RUNTIME_TOKEN=$(jq -r .ACTIONS_RUNTIME_TOKEN <<<"$job_env")
ACTIONS_RESULTS_URL=$(jq -r .ACTIONS_RESULTS_URL <<<"$job_env")
export ACTIONS_RUNTIME_TOKEN ACTIONS_RESULTS_URL ACTIONS_CACHE_SERVICE_V2=true

# the engine with its CLI, and its buildx where setup-buildx-action would install it
DOCKER_CONFIG=$(mktemp -d)
trap 'rm -rf "$DOCKER_CONFIG"' EXIT
mkdir -p "$DOCKER_CONFIG/cli-plugins"
ln -s "${DPA_FIELD29_CLI_PLUGINS:-$DPA_FIELD_CLI_PLUGINS}/docker-buildx" "$DOCKER_CONFIG/cli-plugins/docker-buildx"
export DOCKER_CONFIG DOCKER_HOST=${DPA_FIELD29_CONTAINERD_DOCKER_HOST:-$DPA_FIELD_CONTAINERD_DOCKER_HOST}
export PATH=${DPA_FIELD29_BIN:-$DPA_FIELD_BIN}:$PATH

echo "== publishing $image from $(git rev-parse --abbrev-ref HEAD) @ $(git rev-parse --short HEAD)"
echo "   on $(docker version --format 'Docker {{.Server.Version}}') ($DOCKER_HOST), $(docker buildx version | cut -d' ' -f1,2)"
# the sample has no RUN, so arm64 needs no QEMU: qemu false leaves no binfmt handler behind (they
# are kernel-wide, and the e2e tests start with none); a builder of the step's own would run the
# stack's BuildKit stand-in (the default is Docker Hub's image, pinned by digest)
printf '%s' "$DPA_REGISTRY_A_PASSWORD" |
  node dist/cli/index.js \
    --qemu false \
    --buildkit-image moby/buildkit:buildx-stable-1 \
    --images "$image" \
    --username "$DPA_REGISTRY_A_USER" --password-stdin \
    --context test/fixtures/contexts/hello \
    --platforms linux/amd64,linux/arm64

# credentials go to curl on stdin (-K -), never on its command line
registry_get() {
  printf 'user = "%s:%s"\n' "$DPA_REGISTRY_A_USER" "$DPA_REGISTRY_A_PASSWORD" |
    curl -fsS -K - "$@"
}
echo "== what the registry holds for $repo"
registry_get "http://$DPA_REGISTRY_A/v2/$repo/tags/list"
echo
for tag in $(registry_get "http://$DPA_REGISTRY_A/v2/$repo/tags/list" | jq -r '.tags[]'); do
  registry_get -H 'Accept: application/vnd.docker.distribution.manifest.list.v2+json' \
    -H 'Accept: application/vnd.oci.image.index.v1+json' \
    "http://$DPA_REGISTRY_A/v2/$repo/manifests/$tag" |
    jq -r --arg tag "$tag" '"\($tag): " + ([.manifests[]?.platform | select(.os != "unknown") | "\(.os)/\(.architecture)"] | join(", "))'
done
echo "== what GitHub's cache service (the stand-in's tenant demo) holds under refs/heads/main"
curl -fsS "$DPA_RESULTS_SERVICE/tenants/demo/entries?scope=refs/heads/main" |
  jq -r '"\(length) entries, \(map(select(.finalized)) | length) finalized, \(map(.sizeBytes) | add // 0) bytes"'
