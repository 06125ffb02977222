# Sourced by stack.sh: a stand-in of GHCR (ghcr.io) for mode cleanup's tests: Debian's
# docker-registry as ghcr.io, which refuses registry-API deletes as GHCR does, and a stand-in of
# GitHub's packages REST API (test/support/ghcr-packages/, bundled with node_modules' esbuild)
# that lists the registry's manifests as package versions and deletes them in its storage.
#   - ghcr.io on https 127.0.0.1:5444 (DPA_GHCR): a certificate for ghcr.io signed by registry E's
#     CA (DPA_REGISTRY_E_CA stays the one NODE_EXTRA_CA_CERTS file). The name is NOT put in
#     /etc/hosts: a test resolves it in a mount namespace of its own (test/support/with-hosts.ts).
#   - its plain-HTTP twin on 127.0.0.1:5008 (DPA_GHCR_PLAIN), the same storage, for seeding with
#     buildx, cosign and oras without TLS or names.
#   Both: storage.delete disabled, so a registry-API DELETE answers 405 UNSUPPORTED "The operation
#   is unsupported.", as GHCR answers it (observed: podman-container-tools/skopeo#1880,
#   okxlin/docker-mirror-monitor#13); no blob descriptor cache, so the API's deletes in the
#   storage are seen at once. User octocat, password = the API token (GHCR takes a token as the
#   password; DPA_GHCR_USER, DPA_GHCR_PASSWORD).
#   - the packages API on http://127.0.0.1:5009 (DPA_GHCR_API, as GITHUB_API_URL): the token
#     DPA_GHCR_TOKEN (user octocat) may delete; DPA_GHCR_READ_TOKEN (user hubot) only reads.
#     Owners: octo-org (Organization), octocat and hubot (User). Rules: packages-api.ts.
# Uses helpers and variables of stack.sh and lib/ecr-registry.sh (the CA).

GHCR_NAME=ghcr.io
GHCR_TLS_PORT=5444
GHCR_PLAIN_PORT=5008
GHCR_API_PORT=5009
GHCR_USER=octocat
GHCR_API_SOURCE=$(cd "$STACK_SCRIPT_DIR/../.." && pwd)/test/support/ghcr-packages/daemon.ts

ghcr_dir() { printf '%s/ghcr\n' "$STACK_DIR"; }
ghcr_token() { generated_password "$(ghcr_dir)/token"; }
ghcr_read_token() { generated_password "$(ghcr_dir)/read-token"; }

# ghcr.io's certificate, signed by registry E's CA; made again when that CA changes.
ensure_ghcr_cert() {
  local dir ca
  dir=$(ghcr_dir)
  ca=$(ecr_dir)
  mkdir -p "$dir"
  if [[ -s $dir/cert.pem && -s $dir/key.pem ]] && cmp -s "$ca/ca.pem" "$dir/signed-by.pem"; then
    return 0
  fi
  (umask 077 &&
    openssl req -newkey rsa:2048 -nodes -sha256 -subj "/CN=$GHCR_NAME" \
      -keyout "$dir/key.pem" -out "$dir/cert.csr" >/dev/null 2>&1 &&
    openssl x509 -req -in "$dir/cert.csr" -CA "$ca/ca.pem" -CAkey "$ca/ca-key.pem" \
      -CAcreateserial -days 3650 -sha256 \
      -extfile <(printf 'subjectAltName=DNS:%s,IP:127.0.0.1\n' "$GHCR_NAME") \
      -out "$dir/cert.pem" >/dev/null 2>&1) ||
    die "openssl could not make ghcr.io's certificate in $dir"
  chmod 644 "$dir/cert.pem"
  cp "$ca/ca.pem" "$dir/signed-by.pem"
  GHCR_CHANGED=1
  mkdir -p "$DOCKER_CERTS_DIR/$GHCR_NAME:$GHCR_TLS_PORT"
  cp "$ca/ca.pem" "$DOCKER_CERTS_DIR/$GHCR_NAME:$GHCR_TLS_PORT/ca.crt"
}

# $1: tls or plain. The registry's config: its address, TLS for tls.
ghcr_registry_config() {
  local kind=$1 dir tls='' port=$GHCR_PLAIN_PORT
  dir=$(ghcr_dir)
  if [[ $kind == tls ]]; then
    port=$GHCR_TLS_PORT
    tls="
  tls:
    certificate: $dir/cert.pem
    key: $dir/key.pem"
  fi
  printf '%s\n' "# ghcr.io's stand-in ($kind) for docker-publish-action tests (scripts/stack/lib/ghcr.sh)
version: 0.1
log:
  level: info
  fields:
    service: ghcr-$kind
storage:
  filesystem:
    rootdirectory: $dir/storage
  delete:
    enabled: false
http:
  addr: $REGISTRY_HOST:$port$tls
  headers:
    X-Content-Type-Options: [nosniff]
auth:
  htpasswd:
    realm: $GHCR_NAME
    path: $dir/htpasswd"
}

configure_ghcr() {
  local dir kind token
  dir=$(ghcr_dir)
  token=$(ghcr_token)
  mkdir -p "$dir/storage"
  write_htpasswd "$dir/htpasswd" "$GHCR_USER" "$token" && GHCR_CHANGED=1
  for kind in tls plain; do
    write_if_changed "$dir/config-$kind.yml" "$(ghcr_registry_config "$kind")" && GHCR_CHANGED=1
  done
  (umask 077 && write_if_changed "$dir/api.json" "$(jq -n --arg w "$token" --arg r "$(ghcr_read_token)" \
    --arg storage "$dir/storage" --arg state "$dir/versions.json" '{
      tokens: {($w): {login: "octocat", delete: true}, ($r): {login: "hubot", delete: false}},
      owners: {"octo-org": "Organization", octocat: "User", hubot: "User"},
      storage: $storage, state: $state}')") && GHCR_API_CHANGED=1
  return 0
}

ghcr_code() {
  local kind=$1
  case $kind in
    tls) curl -s -o /dev/null -m 5 -w '%{http_code}' --cacert "$(ecr_dir)/ca.pem" \
      --resolve "$GHCR_NAME:$GHCR_TLS_PORT:127.0.0.1" "https://$GHCR_NAME:$GHCR_TLS_PORT/v2/" || true ;;
    plain) curl -s -o /dev/null -m 5 -w '%{http_code}' "http://$REGISTRY_HOST:$GHCR_PLAIN_PORT/v2/" || true ;;
    api) curl -s -o /dev/null -m 5 -w '%{http_code}' "http://$REGISTRY_HOST:$GHCR_API_PORT/health" || true ;;
  esac
}

ghcr_answers() {
  case $1 in
    api) [[ $(ghcr_code api) == 200 ]] ;;
    *) [[ $(ghcr_code "$1") == 401 ]] ;;
  esac
}

# $1: tls, plain or api; $2: its port; $3...: the command. Restarts a registry when
# GHCR_CHANGED (its certificate, config, password), the API when GHCR_API_CHANGED.
start_ghcr_process() {
  local kind=$1 port=$2 changed=${GHCR_CHANGED:-0}
  shift 2
  [[ $kind == api ]] && changed=${GHCR_API_CHANGED:-0}
  start_daemon "ghcr $kind" "ghcr-$kind" "$(ghcr_dir)" "$port" "$changed" \
    "$REGISTRY_HOST:$port" "ghcr_answers $kind" "$@"
}

ghcr_up() {
  local dir
  dir=$(ghcr_dir)
  require_results_service_bundler
  ensure_ghcr_cert
  configure_ghcr
  bundle_if_changed "$GHCR_API_SOURCE" "$dir/packages-api.mjs" && GHCR_API_CHANGED=1
  start_ghcr_process tls "$GHCR_TLS_PORT" /usr/bin/docker-registry serve "$dir/config-tls.yml"
  start_ghcr_process plain "$GHCR_PLAIN_PORT" /usr/bin/docker-registry serve "$dir/config-plain.yml"
  start_ghcr_process api "$GHCR_API_PORT" node "$dir/packages-api.mjs" "$REGISTRY_HOST" \
    "$GHCR_API_PORT" "$dir/api.json"
}

ghcr_status() {
  local kind pid rc=0
  for kind in tls plain api; do
    if pid=$(live_pid "$RUN_DIR/ghcr-$kind.pid" "$(ghcr_dir)") && ghcr_answers "$kind"; then
      echo "ghcr $kind: running (pid $pid), log $LOG_DIR/ghcr-$kind.log"
    else
      echo "ghcr $kind: not running"
      rc=1
    fi
  done
  return "$rc"
}

stop_ghcr() {
  stop_started "ghcr-api:$(ghcr_dir)" "ghcr-plain:$(ghcr_dir)" "ghcr-tls:$(ghcr_dir)"
}

ghcr_env() {
  [[ -r $(ghcr_dir)/token ]] || die "$(ghcr_dir)/token missing or unreadable: run '$0 up' first (as root)"
  printf 'export DPA_GHCR=%s\n' "$GHCR_NAME:$GHCR_TLS_PORT"
  printf 'export DPA_GHCR_PLAIN=%s\n' "$REGISTRY_HOST:$GHCR_PLAIN_PORT"
  printf 'export DPA_GHCR_API=%s\n' "http://$REGISTRY_HOST:$GHCR_API_PORT"
  printf 'export DPA_GHCR_USER=%s\n' "$GHCR_USER"
  printf 'export DPA_GHCR_PASSWORD=%q\n' "$(<"$(ghcr_dir)/token")"
  printf 'export DPA_GHCR_TOKEN=%q\n' "$(<"$(ghcr_dir)/token")"
  printf 'export DPA_GHCR_READ_TOKEN=%q\n' "$(<"$(ghcr_dir)/read-token")"
  printf 'export DPA_GHCR_STORAGE=%q\n' "$(ghcr_dir)/storage"
}
