# Sourced by stack.sh: cosign 3 (what sigstore/cosign-installer installs today),
# beside Debian trixie's cosign 2.5 that stack.sh installs on the machine. Debian
# sid's cosign 3.x is fetched with `apt-get download` (private apt setup,
# lib/private-apt.sh) and unpacked with `dpkg -x` into $STACK_DIR/cosign3/root:
# nothing on the machine is installed or upgraded. The e2e tests run it as
# $DPA_COSIGN3 (test/support/cosign.ts); `cosign` on PATH stays 2.5.
# Uses helpers and variables of stack.sh.

COSIGN3_SUITE=sid
COSIGN3_SERIES=3
COSIGN3_DIR=$STACK_DIR/cosign3
COSIGN3_ROOT=$COSIGN3_DIR/root
COSIGN3_BIN=$COSIGN3_ROOT/usr/bin/cosign
# Written after a complete unpack: "cosign <version>".
COSIGN3_STAMP=$COSIGN3_ROOT/.dpa-packages

cosign3_installed() {
  [[ -s $COSIGN3_STAMP && -x $COSIGN3_BIN ]]
}

# Debian's version of the unpacked cosign (its build says "devel" for itself).
cosign3_version() {
  awk '$1 == "cosign" { print $2 }' "$COSIGN3_STAMP" 2>/dev/null || true
}

cosign3_starts() {
  "$COSIGN3_BIN" version >/dev/null 2>&1
}

# Downloads and unpacks sid's cosign unless a complete unpack is there.
install_cosign3() {
  local version debs
  cosign3_installed && return 0
  private_apt_update "$COSIGN3_SUITE"
  version=$(private_apt_version "$COSIGN3_SUITE" cosign)
  [[ -n $version ]] || die "package cosign not found in $COSIGN3_SUITE"
  version_in_series "$version" "$COSIGN3_SERIES" \
    || die "cosign in $COSIGN3_SUITE is $version, the stack wants $COSIGN3_SERIES.x (lib/cosign3.sh)"
  debs=$COSIGN3_DIR/debs
  rm -rf "$debs" "$COSIGN3_ROOT.new"
  mkdir -p "$debs"
  log "downloading cosign/$COSIGN3_SUITE $version into $debs (apt-get download; nothing is installed)"
  (cd "$debs" && private_apt "$COSIGN3_SUITE" apt-get download "cosign/$COSIGN3_SUITE") \
    >>"$LOG_DIR/apt.log" 2>&1 || { log_tail "$LOG_DIR/apt.log"; die "apt-get download of cosign from $COSIGN3_SUITE failed"; }
  find "$debs" -name '*.deb' | unpack_debs "$COSIGN3_ROOT.new"
  printf 'cosign %s\n' "$version" >"$COSIGN3_ROOT.new/.dpa-packages"
  rm -rf "$COSIGN3_ROOT"
  mv "$COSIGN3_ROOT.new" "$COSIGN3_ROOT"
  rm -rf "$debs"
  cosign3_starts || die "sid's cosign does not start ($COSIGN3_BIN version)"
  STARTED+=("cosign $version from $COSIGN3_SUITE in $COSIGN3_ROOT")
}

cosign3_up() {
  install_cosign3
}

cosign3_status() {
  if cosign3_installed && cosign3_starts; then
    echo "cosign 3: $COSIGN3_BIN, Debian $COSIGN3_SUITE's $(cosign3_version) (DPA_COSIGN3)"
  else
    echo "cosign 3: not installed ($COSIGN3_ROOT)"
    return 1
  fi
}

cosign3_env() {
  printf 'export DPA_COSIGN3=%q\n' "$COSIGN3_BIN"
}
