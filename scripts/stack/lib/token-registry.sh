# Sourced by stack.sh: registry T, a docker-registry with `auth: token` as
# Docker Hub and GHCR have it, and its token issuer (scripts/stack/token-issuer.mjs,
# plain node). The issuer signs RS256 JWTs with a key whose self-signed
# certificate is the registry's rootcertbundle (and the JWT's x5c).
# Users: carol pulls and pushes everywhere; dave pulls everywhere, pushes
# only under dave/; anonymous pulls only under public/.
# Uses helpers and variables of stack.sh.

TOKEN_REGISTRY_ID=t
REGISTRY_PORT[t]=5003
REGISTRY_USER[t]=carol
TOKEN_READER=dave
TOKEN_ISSUER_PORT=5004
TOKEN_REALM=http://$REGISTRY_HOST:$TOKEN_ISSUER_PORT/token
TOKEN_SERVICE=dpa-registry-t
TOKEN_ISSUER=dpa-token-issuer
TOKEN_ISSUER_SCRIPT=$STACK_SCRIPT_DIR/token-issuer.mjs

token_dir() { registry_dir "$TOKEN_REGISTRY_ID"; }

# carol's password is the registry's (registry-t/password); dave's is kept beside it.
token_reader_password() {
  generated_password "$(token_dir)/password-$TOKEN_READER"
}

require_node() {
  command -v node >/dev/null 2>&1 || die "node not found on PATH (the token issuer is a node script)"
}

# Key and self-signed certificate, made once and kept.
ensure_token_keys() {
  local dir
  dir=$(token_dir)
  mkdir -p "$dir"
  if [[ -s $dir/key.pem && -s $dir/cert.pem ]]; then
    return 0
  fi
  (umask 077 && openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 3650 \
    -subj "/CN=$TOKEN_ISSUER" -keyout "$dir/key.pem" -out "$dir/cert.pem" >/dev/null 2>&1) \
    || die "openssl could not make the token signing key and certificate in $dir"
  chmod 644 "$dir/cert.pem"
  REGISTRY_CONFIG_CHANGED[$TOKEN_REGISTRY_ID]=1
  TOKEN_ISSUER_CONFIG_CHANGED=1
  log "made the token signing key and certificate ($dir/cert.pem)"
}

# issuer.json holds the passwords: written under umask 077. It names the
# script's sha256 so that `up` restarts an issuer whose code changed.
configure_token_issuer() {
  local dir old_umask
  dir=$(token_dir)
  old_umask=$(umask)
  umask 077
  if write_if_changed "$dir/issuer.json" "$(jq -n \
    --arg host "$REGISTRY_HOST" --argjson port "$TOKEN_ISSUER_PORT" \
    --arg issuer "$TOKEN_ISSUER" --arg service "$TOKEN_SERVICE" \
    --arg script_sha256 "$(sha256sum "$TOKEN_ISSUER_SCRIPT" | cut -d' ' -f1)" \
    --arg key "$dir/key.pem" --arg cert "$dir/cert.pem" \
    --arg writer "${REGISTRY_USER[t]}" --arg writer_password "$(registry_password t)" \
    --arg reader "$TOKEN_READER" --arg reader_password "$(token_reader_password)" \
    '{host: $host, port: $port, issuer: $issuer, service: $service,
      key: $key, cert: $cert, ttlSeconds: 300, scriptSha256: $script_sha256,
      users: {
        ($writer): {password: $writer_password, catalog: true,
          grants: [{repositories: "*", actions: ["pull", "push", "delete"]}]},
        ($reader): {password: $reader_password,
          grants: [{repositories: "*", actions: ["pull"]},
                   {repositories: "\($reader)/*", actions: ["pull", "push", "delete"]}]}
      },
      anonymous: {grants: [{repositories: "public/*", actions: ["pull"]}]}}')"; then
    TOKEN_ISSUER_CONFIG_CHANGED=1
  fi
  umask "$old_umask"
}

issuer_answers() {
  [[ $(curl -s -o /dev/null -m 5 -w '%{http_code}' "http://$REGISTRY_HOST:$TOKEN_ISSUER_PORT/health" || true) == 200 ]]
}

start_token_issuer() {
  start_daemon "the token issuer" token-issuer token-issuer.mjs "$TOKEN_ISSUER_PORT" \
    "${TOKEN_ISSUER_CONFIG_CHANGED:-0}" "$TOKEN_REALM" issuer_answers \
    node "$TOKEN_ISSUER_SCRIPT" "$(token_dir)/issuer.json"
}

configure_token_registry() {
  local dir port
  dir=$(token_dir)
  port=${REGISTRY_PORT[$TOKEN_REGISTRY_ID]}
  mkdir -p "$dir/storage"
  if write_if_changed "$dir/config.yml" "# Registry T (token auth) for docker-publish-action tests (written by scripts/stack/stack.sh)
version: 0.1
log:
  level: info
  fields:
    service: registry-t
storage:
  filesystem:
    rootdirectory: $dir/storage
  delete:
    enabled: true
  cache:
    blobdescriptor: inmemory
http:
  addr: $REGISTRY_HOST:$port
  headers:
    X-Content-Type-Options: [nosniff]
auth:
  token:
    realm: $TOKEN_REALM
    service: $TOKEN_SERVICE
    issuer: $TOKEN_ISSUER
    rootcertbundle: $dir/cert.pem"; then
    REGISTRY_CONFIG_CHANGED[$TOKEN_REGISTRY_ID]=1
  fi
}

# token_for USER PASSWORD SCOPE: a token from the issuer's GET endpoint.
token_for() {
  curl -fsS -m 5 -u "$1:$2" -G "$TOKEN_REALM" \
    --data-urlencode "service=$TOKEN_SERVICE" --data-urlencode "scope=$3" | jq -r .token
}

verify_token_registry() {
  local host=$REGISTRY_HOST:${REGISTRY_PORT[t]} token code
  token=$(token_for "${REGISTRY_USER[t]}" "$(registry_password t)" "registry:catalog:*") \
    || die "the token issuer refused ${REGISTRY_USER[t]} (see $LOG_DIR/token-issuer.log)"
  code=$(curl -s -o /dev/null -m 5 -w '%{http_code}' -H "Authorization: Bearer $token" "http://$host/v2/_catalog" || true)
  [[ $code == 200 ]] || die "registry t does not accept the issuer's token (HTTP $code); see $LOG_DIR/registry-t.log"
}

token_registry_up() {
  require_node
  ensure_token_keys
  configure_token_issuer
  start_token_issuer
  configure_token_registry
  start_registry "$TOKEN_REGISTRY_ID"
  verify_token_registry
}

token_registry_status() {
  local pid rc=0
  if pid=$(live_pid "$RUN_DIR/token-issuer.pid" token-issuer.mjs) && issuer_answers; then
    echo "token issuer: running (pid $pid) on $TOKEN_REALM, log $LOG_DIR/token-issuer.log"
  else
    echo "token issuer: not running"
    rc=1
  fi
  if pid=$(live_pid "$RUN_DIR/registry-t.pid" docker-registry); then
    echo "registry t (token auth): running (pid $pid) on http://$REGISTRY_HOST:${REGISTRY_PORT[t]} (GET /v2/ -> $(registry_status_code t)), log $LOG_DIR/registry-t.log"
  else
    echo "registry t (token auth): not running"
    rc=1
  fi
  return "$rc"
}

stop_token_registry() {
  stop_started registry-t:docker-registry token-issuer:token-issuer.mjs
}

token_registry_env() {
  local dir
  dir=$(token_dir)
  [[ -r $dir/password && -r $dir/password-$TOKEN_READER ]] \
    || die "$dir/password or password-$TOKEN_READER missing or unreadable: run '$0 up' first (as root)"
  printf 'export DPA_REGISTRY_T=%s\n' "$REGISTRY_HOST:${REGISTRY_PORT[t]}"
  printf 'export DPA_REGISTRY_T_USER=%s\n' "${REGISTRY_USER[t]}"
  printf 'export DPA_REGISTRY_T_PASSWORD=%q\n' "$(<"$dir/password")"
  printf 'export DPA_REGISTRY_T_READER=%s\n' "$TOKEN_READER"
  printf 'export DPA_REGISTRY_T_READER_PASSWORD=%q\n' "$(<"$dir/password-$TOKEN_READER")"
  printf 'export DPA_REGISTRY_T_REALM=%s\n' "$TOKEN_REALM"
  printf 'export DPA_REGISTRY_T_SERVICE=%s\n' "$TOKEN_SERVICE"
}
