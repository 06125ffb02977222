#!/usr/bin/env bash
# The reusable workflow's logins (.github/workflows/publish.yml), run before its action step: the
# job's token goes to GitHub's container registry and to no other. Sets the step outputs
# `registry` (ghcr.io on github.com, containers.<host> on GHES, as GitHub names them) and
# `job-token` (true: the action step logs in there with the job's token), and fails before anything
# is built, naming the secret to set, when the run pushes to another registry no secret covers.
# A fork's pull request gets no secrets and no token login: the action skips its logins.
#
# Env: IMAGES (the images input), REGISTRY (the registry input), PUSH, HAS_PASSWORD, HAS_LOGINS
# (whether REGISTRY_PASSWORD / REGISTRY_LOGINS are set), FORK, GITHUB_SERVER_URL, GITHUB_OUTPUT.
set -euo pipefail

server=${GITHUB_SERVER_URL:-https://github.com}
if [[ $server == https://github.com ]]; then
  github_registry=ghcr.io
else
  github_registry="containers.${server#https://}"
fi

# The registry of an `images` line (`name` or `name=app,enable=false`; a disabled one: nothing)
# as docker reads a name: its first part where that is a host. The action's own check
# (src/settings/logins.ts) fails such a push too, naming its input; this one can name the secret.
# test/unit/workflows/logins-script.test.ts holds both readings of a table of lines side by side.
registry_of() {
  local line=${1#name=} first
  [[ $1 == *enable=false* ]] && return
  line=${line%%,*}
  first=${line%%/*}
  if [[ $line == */* && ($first == *.* || $first == *:* || $first == localhost) ]]; then
    docker_hub_as_docker_io "${first,,}"
  else
    echo docker.io
  fi
}

docker_hub_as_docker_io() {
  [[ $1 == index.docker.io || $1 == registry-1.docker.io ]] && echo docker.io || echo "$1"
}

# the `registry` input as docker login takes it: a host, or a URL of one (https://index.docker.io/v1/)
narrowed=${REGISTRY,,}
narrowed=${narrowed#http://}
narrowed=${narrowed#https://}
narrowed=${narrowed%%/*}
[[ -n $narrowed ]] && narrowed=$(docker_hub_as_docker_io "$narrowed")
job_token=false
if [[ $FORK != true && $HAS_LOGINS != true ]] &&
  [[ $HAS_PASSWORD != true || ($narrowed != '' && $narrowed != "$github_registry") ]]; then
  job_token=true
fi

if [[ $PUSH == true && $FORK != true && $HAS_LOGINS != true ]]; then
  while read -r image; do
    [[ -z $image ]] && continue
    host=$(registry_of "$image")
    [[ -z $host ]] && continue
    [[ $job_token == true && $host == "$github_registry" ]] && continue
    [[ $HAS_PASSWORD == true && ($narrowed == '' || $narrowed == "$host") ]] && continue
    echo "::error::images: $image is on $host, and the job's token goes only to" \
      "$github_registry: set the REGISTRY_PASSWORD secret (or REGISTRY_LOGINS) for $host"
    exit 1
  done <<< "$IMAGES"
fi

{
  echo "registry=$github_registry"
  echo "job-token=$job_token"
} >> "$GITHUB_OUTPUT"
