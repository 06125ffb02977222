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
  cosign3_installed && return 0
  unpack_suite_package cosign "$COSIGN3_SUITE" "$COSIGN3_SERIES" \
    "$COSIGN3_DIR" "$COSIGN3_ROOT" lib/cosign3.sh
  cosign3_starts || die "sid's cosign does not start ($COSIGN3_BIN version)"
  STARTED+=("cosign $(awk '{ print $2 }' "$COSIGN3_STAMP") from $COSIGN3_SUITE in $COSIGN3_ROOT")
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
