#!/usr/bin/env bash
# Smoke test of a running stack (scripts/stack/stack.sh up): pushes the hello
# context to both registries, checks the index over HTTP, copies a tag with
# imagetools, builds the busybox context and expects the broken one to fail.
# Then the added pieces: the classic-store dockerd (one platform pushes, two
# are refused), registry T's token flow (carol pushes, dave may not outside
# dave/, anonymous reads only public/), the credential-helper fixture and the
# git servers (a Git context over git://, and over smart HTTP only with the token),
# the field engines (Docker 28.5, both stores) and every BuildKit builder in
# DPA_BUILDX_CONFIG, used by buildx 0.13 and by the field's buildx 0.29.
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

# ---- classic-store dockerd
classic() { DOCKER_HOST=$DPA_CLASSIC_DOCKER_HOST DOCKER_CONFIG=$WORK/classic-config docker "$@"; }
driver=$(classic info --format '{{.Driver}} {{json .DriverStatus}}')
[[ $driver != *io.containerd.snapshotter* ]] || fail "classic dockerd uses the containerd store: $driver"
ok "classic dockerd storage driver: ${driver%% *}"
printf '%s' "$DPA_REGISTRY_A_PASSWORD" | classic login "$DPA_REGISTRY_A" -u "$DPA_REGISTRY_A_USER" --password-stdin >/dev/null 2>&1 \
  || fail "docker login $DPA_REGISTRY_A on the classic dockerd"
classic buildx build --platform linux/amd64 --push -t "$DPA_REGISTRY_A/smoke/classic:1" "$CONTEXTS/hello" \
  >"$WORK/classic.log" 2>&1 || { tail -n 20 "$WORK/classic.log" >&2; fail "classic buildx push"; }
ok "classic dockerd: buildx push of linux/amd64"
if classic buildx build --platform linux/amd64,linux/arm64 --push -t "$DPA_REGISTRY_A/smoke/classic:2" \
  "$CONTEXTS/hello" >"$WORK/classic-multi.log" 2>&1; then
  fail "classic dockerd built two platforms"
fi
ok "classic dockerd refuses two platforms: $(grep -m1 '^ERROR' "$WORK/classic-multi.log")"

# ---- registry T (token auth)
token() { # USER PASSWORD SCOPE...
  local user=$1 password=$2 args=()
  shift 2
  for scope in "$@"; do args+=(--data-urlencode "scope=$scope"); done
  curl -fsS ${user:+-u "$user:$password"} -G "$DPA_REGISTRY_T_REALM" \
    --data-urlencode "service=$DPA_REGISTRY_T_SERVICE" "${args[@]}" | jq -r .token
}
code=$(http_code "http://$DPA_REGISTRY_T/v2/")
[[ $code == 401 ]] || fail "registry T without a token: $code"
code=$(http_code -u "$DPA_REGISTRY_T_USER:wrong" "$DPA_REGISTRY_T_REALM?service=$DPA_REGISTRY_T_SERVICE")
[[ $code == 401 ]] || fail "token issuer with a wrong password: $code"
ok "registry T: 401 without a token, issuer 401 on a wrong password"
printf '%s' "$DPA_REGISTRY_T_PASSWORD" | docker login "$DPA_REGISTRY_T" -u "$DPA_REGISTRY_T_USER" --password-stdin >/dev/null 2>&1 \
  || fail "docker login $DPA_REGISTRY_T as $DPA_REGISTRY_T_USER"
docker buildx build --platform linux/amd64,linux/arm64 --provenance=false --push -t "$DPA_REGISTRY_T/public/hello:1" \
  "$CONTEXTS/hello" >"$WORK/build-t.log" 2>&1 || { tail -n 20 "$WORK/build-t.log" >&2; fail "buildx push to registry T"; }
ok "carol: docker login + buildx push to $DPA_REGISTRY_T/public/hello:1"
tags=$(curl -fsS -H "Authorization: Bearer $(token "$DPA_REGISTRY_T_USER" "$DPA_REGISTRY_T_PASSWORD" \
  "repository:public/hello:pull")" "http://$DPA_REGISTRY_T/v2/public/hello/tags/list")
ok "carol's token reads tags: $tags"
code=$(http_code -H "Authorization: Bearer $(token '' '' 'repository:public/hello:pull')" \
  "http://$DPA_REGISTRY_T/v2/public/hello/tags/list")
[[ $code == 200 ]] || fail "anonymous read of public/hello: $code"
ok "anonymous token reads public/hello"
printf '%s' "$DPA_REGISTRY_T_READER_PASSWORD" | docker login "$DPA_REGISTRY_T" -u "$DPA_REGISTRY_T_READER" --password-stdin >/dev/null 2>&1 \
  || fail "docker login $DPA_REGISTRY_T as $DPA_REGISTRY_T_READER"
if docker buildx build --push -t "$DPA_REGISTRY_T/carol/x:1" "$CONTEXTS/hello" >"$WORK/build-dave.log" 2>&1; then
  fail "dave pushed to carol/x"
fi
ok "dave may not push carol/x: $(grep -m1 '^ERROR' "$WORK/build-dave.log")"
docker buildx build --push -t "$DPA_REGISTRY_T/$DPA_REGISTRY_T_READER/x:1" "$CONTEXTS/hello" >"$WORK/build-dave2.log" 2>&1 \
  || { tail -n 20 "$WORK/build-dave2.log" >&2; fail "dave's push to $DPA_REGISTRY_T_READER/x"; }
ok "dave pushes $DPA_REGISTRY_T_READER/x"
docker logout "$DPA_REGISTRY_T" >/dev/null

# ---- credential-helper fixture
export DPA_CRED_FIXTURE_STORE=$WORK/cred-store.json DPA_CRED_FIXTURE_LOG=$WORK/cred-calls.log
jq -n --arg server "$DPA_REGISTRY_A" --arg user "$DPA_REGISTRY_A_USER" --arg secret "$DPA_REGISTRY_A_PASSWORD" \
  '{($server): {Username: $user, Secret: $secret}}' >"$DPA_CRED_FIXTURE_STORE"
mkdir -p "$WORK/helper-config"
jq -n --arg server "$DPA_REGISTRY_A" '{credHelpers: {($server): "dpa-fixture"}}' >"$WORK/helper-config/config.json"
PATH=$HERE/../../test/fixtures/credential-helper:$PATH DOCKER_CONFIG=$WORK/helper-config \
  docker buildx build --push -t "$DPA_REGISTRY_A/smoke/helper:1" "$CONTEXTS/hello" >"$WORK/helper.log" 2>&1 \
  || { tail -n 20 "$WORK/helper.log" >&2; fail "buildx push with the credential-helper fixture"; }
grep -qxF "get $DPA_REGISTRY_A" "$DPA_CRED_FIXTURE_LOG" || fail "the fixture was not asked: $(cat "$DPA_CRED_FIXTURE_LOG")"
ok "credential-helper fixture: buildx push without docker login ($(sort -u "$DPA_CRED_FIXTURE_LOG" | tr '\n' ' '))"

# ---- git servers: BuildKit fetches a Git context (a fresh commit: it caches by commit)
GIT_NAME=smoke/$(basename "$WORK").git
git -C "$WORK" init -q -b main git-src
cp "$CONTEXTS/hello/"* "$WORK/git-src/" && echo "$WORK" >"$WORK/git-src/nonce"
git -C "$WORK/git-src" add . && git -C "$WORK/git-src" -c user.name=smoke -c user.email=smoke@stack commit -qm smoke
git clone -q --bare "$WORK/git-src" "$DPA_GIT_REPOS/$GIT_NAME"
trap 'rm -rf "$WORK" "${DPA_GIT_REPOS:?}/$GIT_NAME"' EXIT
GIT_SHA=$(git -C "$WORK/git-src" rev-parse HEAD)
if docker buildx build "http://$DPA_GIT_HTTP/$GIT_NAME#$GIT_SHA" >"$WORK/git-http-denied.log" 2>&1; then
  fail "smart HTTP served $GIT_NAME without the token"
fi
ok "smart HTTP without the token: $(grep 'fatal:' "$WORK/git-http-denied.log" | tail -n 1)"
(umask 077 && printf '%s' "$DPA_GIT_TOKEN" >"$WORK/git-token")
docker buildx build --secret "id=GIT_AUTH_TOKEN.$DPA_GIT_HTTP,src=$WORK/git-token" \
  "http://$DPA_GIT_HTTP/$GIT_NAME#$GIT_SHA" >"$WORK/git-http.log" 2>&1 \
  || { tail -n 20 "$WORK/git-http.log" >&2; fail "buildx build over smart HTTP with GIT_AUTH_TOKEN.$DPA_GIT_HTTP"; }
ok "smart HTTP with the GIT_AUTH_TOKEN.$DPA_GIT_HTTP secret: built"
# a second commit: the first one is in BuildKit's cache now
echo again >>"$WORK/git-src/nonce"
git -C "$WORK/git-src" -c user.name=smoke -c user.email=smoke@stack commit -qam again
git -C "$WORK/git-src" push -q "$DPA_GIT_REPOS/$GIT_NAME" main
GIT_SHA=$(git -C "$WORK/git-src" rev-parse HEAD)
docker buildx build "git://$DPA_GIT_DAEMON/$GIT_NAME#$GIT_SHA" >"$WORK/git-daemon.log" 2>&1 \
  || { tail -n 20 "$WORK/git-daemon.log" >&2; fail "buildx build of git://$DPA_GIT_DAEMON/$GIT_NAME"; }
ok "git daemon: buildx builds git://$DPA_GIT_DAEMON/$GIT_NAME#$GIT_SHA"

# ---- field engines (Docker 28.5 + buildx 0.29 from sid)
FIELD_CONFIG=$WORK/field-config
mkdir -p "$FIELD_CONFIG"
jq -n --arg dir "$DPA_FIELD_CLI_PLUGINS" '{cliPluginsExtraDirs: [$dir]}' >"$FIELD_CONFIG/config.json"
field() { DOCKER_CONFIG=$FIELD_CONFIG "$DPA_FIELD_BIN/docker" "$@"; }
for host in "$DPA_FIELD_CLASSIC_DOCKER_HOST" "$DPA_FIELD_CONTAINERD_DOCKER_HOST"; do
  info=$(DOCKER_HOST=$host field info --format '{{.ServerVersion}} {{.Driver}} runc {{.RuncCommit.ID}}')
  [[ $info == 28.5.* ]] || fail "field engine $host: $info"
  out=$(DOCKER_HOST=$host field run --rm local/busybox:latest echo ran) || fail "docker run on $host"
  ok "field engine $host: $info, docker run prints: $out"
done
[[ $(field buildx version) == *" 0.29."* ]] || fail "the field's buildx: $(field buildx version)"

# ---- BuildKit builders: FROM scratch + COPY with each, by buildx 0.13 and 0.29
buildx13() { BUILDX_CONFIG=$DPA_BUILDX_CONFIG docker buildx "$@"; }
buildx29() { BUILDX_CONFIG=$DPA_BUILDX_CONFIG field buildx "$@"; }
version=$(buildx13 inspect dpa-remote | awk '/BuildKit version:/ { print $NF; exit }')
[[ $version == "$DPA_BUILDKIT_VERSION" ]] || fail "dpa-remote runs BuildKit $version, stack.sh env says $DPA_BUILDKIT_VERSION"
mkdir -p "$WORK/scratch"
printf 'FROM scratch\nCOPY hello.txt /hello.txt\n' >"$WORK/scratch/Dockerfile"
echo "$WORK" >"$WORK/scratch/hello.txt"
for builder in dpa-remote dpa-remote-tls dpa-container-26 dpa-container-26-classic \
  dpa-container-28-classic dpa-container-28-containerd dpa-two-node; do
  platform=linux/amd64
  [[ $builder != dpa-two-node ]] || platform=linux/amd64,linux/arm64
  for buildx in buildx13 buildx29; do
    "$buildx" build --builder "$builder" --platform "$platform" --output type=cacheonly "$WORK/scratch" \
      >"$WORK/$builder-$buildx.log" 2>&1 || { tail -n 20 "$WORK/$builder-$buildx.log" >&2; fail "$buildx build --builder $builder"; }
  done
  ok "builder $builder ($platform): FROM scratch + COPY with buildx 0.13 and 0.29"
done

echo "smoke: all checks passed"
