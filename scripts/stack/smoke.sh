#!/usr/bin/env bash
# Smoke test of a running stack (scripts/stack/stack.sh up): pushes the hello
# context to both registries, checks the index over HTTP, copies a tag with
# imagetools, builds the busybox context and expects the broken one to fail.
# Logs in with a throw-away DOCKER_CONFIG so ~/.docker/config.json is untouched.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
CONTEXTS=$HERE/../../test/fixtures/contexts
INDEX_ACCEPT=(-H 'Accept: application/vnd.oci.image.index.v1+json'
  -H 'Accept: application/vnd.docker.distribution.manifest.list.v2+json')

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
export DOCKER_CONFIG=$WORK/docker-config

eval "$("$HERE/stack.sh" env)"

ok() { printf 'ok   %s\n' "$*"; }
fail() { printf 'FAIL %s\n' "$*" >&2; exit 1; }

http_code() { curl -s -o /dev/null -w '%{http_code}' "$@"; }

# push_and_check REGISTRY USER PASSWORD
push_and_check() {
  local registry=$1 user=$2 password=$3 ref meta headers body digest platforms tags
  ref=$registry/smoke/hello:1
  meta=$WORK/meta-$user.json headers=$WORK/headers-$user body=$WORK/index-$user.json
  printf '%s' "$password" | docker login "$registry" -u "$user" --password-stdin >/dev/null 2>&1 \
    || fail "docker login $registry as $user"
  docker buildx build --platform linux/amd64,linux/arm64 --provenance=false --sbom=false --push \
    -t "$ref" --metadata-file "$meta" "$CONTEXTS/hello" >"$WORK/build-$user.log" 2>&1 \
    || { tail -n 20 "$WORK/build-$user.log" >&2; fail "buildx push to $registry"; }
  ok "pushed $ref"
  tags=$(curl -fsS -u "$user:$password" "http://$registry/v2/smoke/hello/tags/list")
  jq -e '.tags | index("1")' <<<"$tags" >/dev/null || fail "tag 1 missing: $tags"
  ok "tags list: $tags"
  curl -fsS -D "$headers" -o "$body" -u "$user:$password" "${INDEX_ACCEPT[@]}" \
    "http://$registry/v2/smoke/hello/manifests/1"
  platforms=$(jq -c '[.manifests[].platform | "\(.os)/\(.architecture)"] | sort' "$body")
  [[ $platforms == '["linux/amd64","linux/arm64"]' ]] || fail "platforms: $platforms"
  ok "index $(jq -r .mediaType "$body") platforms $platforms"
  digest=$(awk -F': ' 'tolower($1) == "docker-content-digest" { print $2 }' "$headers" | tr -d '\r')
  [[ $digest == "$(jq -r '."containerimage.digest"' "$meta")" ]] \
    || fail "Docker-Content-Digest $digest != metadata containerimage.digest"
  ok "Docker-Content-Digest == containerimage.digest == $digest"
}

push_and_check "$DPA_REGISTRY_A" "$DPA_REGISTRY_A_USER" "$DPA_REGISTRY_A_PASSWORD"
push_and_check "$DPA_REGISTRY_B" "$DPA_REGISTRY_B_USER" "$DPA_REGISTRY_B_PASSWORD"

code=$(http_code -u "$DPA_REGISTRY_A_USER:$DPA_REGISTRY_A_PASSWORD" "http://$DPA_REGISTRY_B/v2/")
[[ $code == 401 ]] || fail "alice at registry B got $code"
ok "alice at registry B: 401"
code=$(http_code -u "$DPA_REGISTRY_B_USER:$DPA_REGISTRY_B_PASSWORD" "http://$DPA_REGISTRY_A/v2/")
[[ $code == 401 ]] || fail "bob at registry A got $code"
ok "bob at registry A: 401"

docker buildx imagetools create -t "$DPA_REGISTRY_A/smoke/hello:copy" "$DPA_REGISTRY_A/smoke/hello:1" \
  >"$WORK/imagetools.log" 2>&1 || { cat "$WORK/imagetools.log" >&2; fail "imagetools create"; }
ok "imagetools create :copy ($(curl -fsS -u "$DPA_REGISTRY_A_USER:$DPA_REGISTRY_A_PASSWORD" \
  "http://$DPA_REGISTRY_A/v2/smoke/hello/tags/list"))"

docker buildx build --platform linux/amd64 --load -t smoke/busybox:1 "$CONTEXTS/busybox" \
  >"$WORK/busybox.log" 2>&1 || { tail -n 20 "$WORK/busybox.log" >&2; fail "busybox build"; }
ok "busybox build --load; docker run prints: $(docker run --rm smoke/busybox:1)"

if docker buildx build "$CONTEXTS/broken" >"$WORK/broken.log" 2>&1; then
  fail "broken context built"
fi
ok "broken context fails: $(grep -m1 '^ERROR' "$WORK/broken.log")"

for registry in "$DPA_REGISTRY_A" "$DPA_REGISTRY_B"; do docker logout "$registry" >/dev/null; done
echo "smoke: all checks passed"
