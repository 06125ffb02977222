# Sourced by stack.sh: the ORAS CLI, a registry client of its own, with which the e2e read what
# mode rollback leaves (`oras discover` lists the withdrawn mark among a digest's referrers).
# Debian sid's oras is fetched with `apt-get download` (private apt setup, lib/private-apt.sh) and
# unpacked with `dpkg -x` into $STACK_DIR/oras/root: nothing on the machine is installed or
# upgraded. The e2e tests run it as $DPA_ORAS (test/e2e/rollback.test.ts).
# Uses helpers and variables of stack.sh.

ORAS_SUITE=sid
ORAS_SERIES=1
ORAS_DIR=$STACK_DIR/oras
ORAS_ROOT=$ORAS_DIR/root
ORAS_BIN=$ORAS_ROOT/usr/bin/oras
# Written after a complete unpack: "oras <version>".
ORAS_STAMP=$ORAS_ROOT/.dpa-packages

oras_installed() {
  [[ -s $ORAS_STAMP && -x $ORAS_BIN ]]
}

oras_starts() {
  "$ORAS_BIN" version >/dev/null 2>&1
}

# Downloads and unpacks sid's oras unless a complete unpack is there.
install_oras() {
  oras_installed && return 0
  unpack_suite_package oras "$ORAS_SUITE" "$ORAS_SERIES" \
    "$ORAS_DIR" "$ORAS_ROOT" lib/oras.sh
  oras_starts || die "sid's oras does not start ($ORAS_BIN version)"
  STARTED+=("oras $(awk '{ print $2 }' "$ORAS_STAMP") from $ORAS_SUITE in $ORAS_ROOT")
}

oras_up() {
  install_oras
}

oras_status() {
  if oras_installed && oras_starts; then
    echo "oras: $ORAS_BIN, Debian $ORAS_SUITE's $(awk '{ print $2 }' "$ORAS_STAMP") (DPA_ORAS)"
  else
    echo "oras: not installed ($ORAS_ROOT)"
    return 1
  fi
}

oras_env() {
  printf 'export DPA_ORAS=%q\n' "$ORAS_BIN"
}
