# Sourced by stack.sh: registry E, a docker-registry under Amazon ECR's names for the ECR login
# tests (test/support/ecr-api.ts plays ECR's API and hands out its password as the token).
# ECR's registries answer on https with Basic auth for the user AWS; here: TLS on
# 127.0.0.1:5443 with a certificate from a CA of the stack's own, htpasswd user AWS, and the
# names below in /etc/hosts (a marked block, rewritten only when it changes). The engines trust
# the CA through /etc/docker/certs.d/<host:port>/ca.crt, which dockerd reads on each connection
# (no restart); node trusts it through NODE_EXTRA_CA_CERTS (DPA_REGISTRY_E_CA).
# Uses helpers and variables of stack.sh.

ECR_REGISTRY_ID=e
REGISTRY_PORT[e]=5443
REGISTRY_USER[e]=AWS
# two private accounts (the second for AWS_ACCOUNT_IDS), ECR Public, and dhi.io (Docker's
# Hardened Images registry, one of the names of login-action's Docker Hub OIDC login)
ECR_NAMES=(123456789012.dkr.ecr.eu-west-1.amazonaws.com 210987654321.dkr.ecr.eu-west-1.amazonaws.com public.ecr.aws dhi.io)
HOSTS_FILE=/etc/hosts
HOSTS_MARK="# docker-publish-action stack: ECR names (scripts/stack/lib/ecr-registry.sh)"
DOCKER_CERTS_DIR=/etc/docker/certs.d

ecr_dir() { registry_dir "$ECR_REGISTRY_ID"; }

# The CA and the registry's certificate (SANs: the names), made once and kept while the
# names stay the same.
ensure_ecr_certs() {
  local dir san
  dir=$(ecr_dir)
  mkdir -p "$dir"
  if [[ -s $dir/ca.pem && -s $dir/cert.pem && -s $dir/key.pem ]] &&
    [[ $(cat "$dir/names" 2>/dev/null) == "${ECR_NAMES[*]}" ]]; then
    return 0
  fi
  san=$(printf 'DNS:%s,' "${ECR_NAMES[@]}")
  (umask 077 &&
    openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 3650 -subj "/CN=dpa-stack-ca" \
      -keyout "$dir/ca-key.pem" -out "$dir/ca.pem" >/dev/null 2>&1 &&
    openssl req -newkey rsa:2048 -nodes -sha256 -subj "/CN=${ECR_NAMES[0]}" \
      -keyout "$dir/key.pem" -out "$dir/cert.csr" >/dev/null 2>&1 &&
    openssl x509 -req -in "$dir/cert.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca-key.pem" \
      -CAcreateserial -days 3650 -sha256 -extfile <(printf 'subjectAltName=%sIP:127.0.0.1\n' "$san") \
      -out "$dir/cert.pem" >/dev/null 2>&1) ||
    die "openssl could not make the ECR registry's CA and certificate in $dir"
  chmod 644 "$dir/ca.pem" "$dir/cert.pem"
  printf '%s\n' "${ECR_NAMES[*]}" >"$dir/names"
  REGISTRY_CONFIG_CHANGED[$ECR_REGISTRY_ID]=1
  log "made the ECR registry's CA and certificate ($dir/ca.pem)"
}

# The names in /etc/hosts (one marked block) and the CA in each engine's certs.d.
ensure_ecr_names() {
  local name block current
  block="$HOSTS_MARK"$'\n'"127.0.0.1 ${ECR_NAMES[*]}"
  current=$(grep -A1 -F "$HOSTS_MARK" "$HOSTS_FILE" || true)
  if [[ $current != "$block" ]]; then
    # /etc/hosts may be a bind mount: rewritten in place, never replaced
    # the old block: the mark and the line after it
    awk -v mark="$HOSTS_MARK" '$0 == mark { skip = 2 } skip > 0 { skip--; next } { print }' \
      "$HOSTS_FILE" >"$RUN_DIR/hosts.new"
    printf '%s\n' "$block" >>"$RUN_DIR/hosts.new"
    cat "$RUN_DIR/hosts.new" >"$HOSTS_FILE"
    rm -f "$RUN_DIR/hosts.new"
    log "added the ECR names to $HOSTS_FILE"
  fi
  for name in "${ECR_NAMES[@]}"; do
    mkdir -p "$DOCKER_CERTS_DIR/$name:${REGISTRY_PORT[e]}"
    cmp -s "$(ecr_dir)/ca.pem" "$DOCKER_CERTS_DIR/$name:${REGISTRY_PORT[e]}/ca.crt" ||
      cp "$(ecr_dir)/ca.pem" "$DOCKER_CERTS_DIR/$name:${REGISTRY_PORT[e]}/ca.crt"
  done
}

configure_ecr_registry() {
  local dir password
  dir=$(ecr_dir)
  password=$(registry_password "$ECR_REGISTRY_ID")
  mkdir -p "$dir/storage"
  write_htpasswd "$dir/htpasswd" AWS "$password" && REGISTRY_CONFIG_CHANGED[$ECR_REGISTRY_ID]=1
  if write_if_changed "$dir/config.yml" "# Registry E (ECR's names, TLS) for docker-publish-action tests (written by scripts/stack/stack.sh)
version: 0.1
log:
  level: info
  fields:
    service: registry-e
storage:
  filesystem:
    rootdirectory: $dir/storage
  delete:
    enabled: true
  cache:
    blobdescriptor: inmemory
http:
  addr: $REGISTRY_HOST:${REGISTRY_PORT[e]}
  tls:
    certificate: $dir/cert.pem
    key: $dir/key.pem
  headers:
    X-Content-Type-Options: [nosniff]
auth:
  htpasswd:
    realm: https://${ECR_NAMES[0]}/
    path: $dir/htpasswd"; then
    REGISTRY_CONFIG_CHANGED[$ECR_REGISTRY_ID]=1
  fi
}

ecr_registry_status_code() {
  curl -s -o /dev/null -m 5 -w '%{http_code}' --cacert "$(ecr_dir)/ca.pem" \
    "https://${ECR_NAMES[0]}:${REGISTRY_PORT[e]}/v2/" || true
}

ecr_registry_challenges() { [[ $(ecr_registry_status_code) == 401 ]]; }

start_ecr_registry() {
  start_daemon "registry e" registry-e docker-registry "${REGISTRY_PORT[e]}" \
    "${REGISTRY_CONFIG_CHANGED[e]:-0}" "https://${ECR_NAMES[0]}:${REGISTRY_PORT[e]}, user AWS" \
    ecr_registry_challenges /usr/bin/docker-registry serve "$(ecr_dir)/config.yml"
}

ecr_registry_up() {
  ensure_ecr_certs
  ensure_ecr_names
  configure_ecr_registry
  start_ecr_registry
}

ecr_registry_status() {
  local pid
  if pid=$(live_pid "$RUN_DIR/registry-e.pid" docker-registry); then
    echo "registry e (ECR names): running (pid $pid) on https://${ECR_NAMES[0]}:${REGISTRY_PORT[e]} (GET /v2/ -> $(ecr_registry_status_code)), log $LOG_DIR/registry-e.log"
  else
    echo "registry e (ECR names): not running"
    return 1
  fi
}

stop_ecr_registry() {
  stop_started registry-e:docker-registry
}

ecr_registry_env() {
  local dir
  dir=$(ecr_dir)
  [[ -r $dir/password ]] || die "$dir/password missing or unreadable: run '$0 up' first (as root)"
  printf 'export DPA_REGISTRY_E=%s\n' "${ECR_NAMES[0]}:${REGISTRY_PORT[e]}"
  printf 'export DPA_REGISTRY_E_OTHER=%s\n' "${ECR_NAMES[1]}:${REGISTRY_PORT[e]}"
  printf 'export DPA_REGISTRY_E_PUBLIC=%s\n' "${ECR_NAMES[2]}:${REGISTRY_PORT[e]}"
  printf 'export DPA_REGISTRY_E_DHI=%s\n' "${ECR_NAMES[3]}:${REGISTRY_PORT[e]}"
  printf 'export DPA_REGISTRY_E_USER=AWS\n'
  printf 'export DPA_REGISTRY_E_PASSWORD=%q\n' "$(<"$dir/password")"
  printf 'export DPA_REGISTRY_E_CA=%q\n' "$dir/ca.pem"
}
