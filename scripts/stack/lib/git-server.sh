# Sourced by stack.sh: the git servers the Git context is built from (e2e of
# the default context and github-token). Both serve the bare repositories under
# $STACK_DIR/git/repos (tests write theirs there directly, one per test):
#   - git daemon on git://127.0.0.1:5005/<name>.git, anonymous (a public repository);
#   - smart HTTP on http://127.0.0.1:5006/<name>.git: git http-backend behind
#     scripts/stack/git-http.mjs (plain node), which answers 401 unless the request
#     carries the stack's token as BuildKit sends GIT_AUTH_TOKEN (a private repository).
# Uses helpers and variables of stack.sh; `git` comes from Debian (DEFAULT_SUITE_PACKAGES).

GIT_DAEMON_PORT=5005
GIT_HTTP_PORT=5006
GIT_HTTP_SCRIPT=$STACK_SCRIPT_DIR/git-http.mjs

git_dir() { printf '%s/git\n' "$STACK_DIR"; }
git_repos() { printf '%s/repos\n' "$(git_dir)"; }
git_token() { generated_password "$(git_dir)/token"; }

git_daemon_answers() {
  # an empty request list: the daemon answers (and closes) without a repository
  timeout 5 bash -c "exec 3<>/dev/tcp/$REGISTRY_HOST/$GIT_DAEMON_PORT" 2>/dev/null
}

git_http_answers() {
  [[ $(curl -s -o /dev/null -m 5 -w '%{http_code}' "http://$REGISTRY_HOST:$GIT_HTTP_PORT/health" || true) == 200 ]]
}

start_git_daemon() {
  start_daemon "git daemon" git-daemon git-daemon "$GIT_DAEMON_PORT" 0 \
    "git://$REGISTRY_HOST:$GIT_DAEMON_PORT/" git_daemon_answers \
    "$(git --exec-path)/git-daemon" --reuseaddr --export-all --verbose --informative-errors \
    --base-path="$(git_repos)" --listen="$REGISTRY_HOST" --port="$GIT_DAEMON_PORT" "$(git_repos)"
}

start_git_http() {
  local config changed=0
  config=$(git_dir)/http.json
  write_if_changed "$config" "$(jq -n --arg host "$REGISTRY_HOST" \
    --argjson port "$GIT_HTTP_PORT" --arg root "$(git_repos)" \
    --arg tokenFile "$(git_dir)/token" \
    --arg script_sha256 "$(sha256sum "$GIT_HTTP_SCRIPT" | cut -d' ' -f1)" \
    '{host: $host, port: $port, root: $root, tokenFile: $tokenFile, scriptSha256: $script_sha256}')" \
    && changed=1
  start_daemon "git smart HTTP" git-http git-http.mjs "$GIT_HTTP_PORT" "$changed" \
    "http://$REGISTRY_HOST:$GIT_HTTP_PORT/" git_http_answers node "$GIT_HTTP_SCRIPT" "$config"
}

git_server_up() {
  require_node
  mkdir -p "$(git_repos)"
  git_token >/dev/null
  start_git_daemon
  start_git_http
}

git_server_status() {
  local pid rc=0
  if pid=$(live_pid "$RUN_DIR/git-daemon.pid" git-daemon) && git_daemon_answers; then
    echo "git daemon: running (pid $pid) on git://$REGISTRY_HOST:$GIT_DAEMON_PORT/, log $LOG_DIR/git-daemon.log"
  else
    echo "git daemon: not running"
    rc=1
  fi
  if pid=$(live_pid "$RUN_DIR/git-http.pid" git-http.mjs) && git_http_answers; then
    echo "git smart HTTP: running (pid $pid) on http://$REGISTRY_HOST:$GIT_HTTP_PORT/, log $LOG_DIR/git-http.log"
  else
    echo "git smart HTTP: not running"
    rc=1
  fi
  return "$rc"
}

stop_git_server() {
  stop_started git-http:git-http.mjs git-daemon:git-daemon
}

git_server_env() {
  [[ -r $(git_dir)/token ]] || die "$(git_dir)/token missing or unreadable: run '$0 up' first (as root)"
  printf 'export DPA_GIT_REPOS=%q\n' "$(git_repos)"
  printf 'export DPA_GIT_DAEMON=%s\n' "$REGISTRY_HOST:$GIT_DAEMON_PORT"
  printf 'export DPA_GIT_HTTP=%s\n' "$REGISTRY_HOST:$GIT_HTTP_PORT"
  printf 'export DPA_GIT_TOKEN=%q\n' "$(<"$(git_dir)/token")"
}
