#!/usr/bin/env bash
# The action's main job, locally: brings the stack up, publishes a sample image
# from this checkout with the tags its git ref computes to (the bundled CLI, the
# same engine as the action), then lists what landed in the registry.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/stack/stack.sh up
eval "$(bash scripts/stack/stack.sh env)"
repo=demo/docker-publish-action
image="$DPA_REGISTRY_A/$repo"

echo "== publishing $image from $(git rev-parse --abbrev-ref HEAD) @ $(git rev-parse --short HEAD)"
printf '%s' "$DPA_REGISTRY_A_PASSWORD" |
  node dist/cli/index.js \
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
